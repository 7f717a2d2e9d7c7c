package dev.stowage.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.BucketChunkStore.DedupProbe;
import dev.stowage.core.chunk.BucketChunkStore.Options;
import dev.stowage.core.chunk.CorruptChunkException.Reason;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.core.store.UnavailableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BucketChunkStoreTest {

    private static final KeyRing RING_1 = KeyRing.single(1, TestData.key(1));

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore bucket = new FaultInjectingObjectStore(memory);

    private static ChunkCodec codec(CompressionCodec compression, boolean encrypt, KeyRing ring) {
        return new ChunkCodec(ChunkCodec.Settings.DEFAULT.withCompression(compression).withEncryption(encrypt), ring);
    }

    private BucketChunkStore store(ChunkCodec codec, Options options) {
        return new BucketChunkStore(bucket, TestData.hasher(), codec, options);
    }

    /** The object as stored, read past the fault injector so it is not counted. */
    private byte[] object(ChunkId id) {
        return memory.get(id.objectKey());
    }

    /** Replaces an object behind the chunk store's back (bit rot, a misdirected copy). */
    private void overwrite(String key, byte[] data) {
        memory.put(key, data, PutOptions.DEFAULT);
    }

    private BucketChunkStore store(Options options) {
        return store(codec(CompressionCodec.ZSTD, true, RING_1), options);
    }

    @Test
    void roundTripsEveryCodecCombinationAndSizeAndCountsStoredBytes() {
        for (CompressionCodec compression : CompressionCodec.values()) {
            for (boolean encrypt : new boolean[] {false, true}) {
                BucketChunkStore chunks = store(codec(compression, encrypt, RING_1), Options.DEFAULT);
                long stored = 0;
                List<ChunkRef> refs = new ArrayList<>();
                List<byte[]> contents = List.of(new byte[0], new byte[] {42}, TestData.random(4 << 20, 1),
                        TestData.compressible(4 << 20, 2));
                for (byte[] plaintext : contents) {
                    // Distinct per combination, so nothing deduplicates across iterations.
                    byte[] unique = Arrays.copyOf(plaintext, plaintext.length + 1);
                    unique[plaintext.length] = (byte) (compression.ordinal() * 2 + (encrypt ? 1 : 0));
                    ChunkRef ref = chunks.put(unique);
                    refs.add(ref);
                    byte[] object = object(ref.id());
                    assertThat(ref.storedLength()).isEqualTo(object.length);
                    assertThat(ref.plaintextLength()).isEqualTo(unique.length);
                    stored += object.length;
                    assertThat(chunks.get(ref.id())).isEqualTo(unique);
                }
                ChunkStoreStats stats = chunks.stats();
                assertThat(stats.chunksUploaded()).isEqualTo(4);
                assertThat(stats.bytesUploaded()).isEqualTo(stored);
                assertThat(stats.chunksDownloaded()).isEqualTo(4);
                assertThat(stats.bytesDownloaded()).isEqualTo(stored);
                assertThat(stats.chunksDeduplicated()).isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DedupProbe.class)
    void sameContentTwiceIsUploadedOnce(DedupProbe probe) {
        BucketChunkStore chunks = store(Options.DEFAULT.withProbe(probe));
        byte[] data = TestData.compressible(100_000, 3);
        ChunkRef first = chunks.put(data);
        ChunkRef second = chunks.put(data.clone());
        assertThat(second).isEqualTo(first);
        assertThat(bucket.calls(Operation.PUT)).isEqualTo(1);
        assertThat(memory.objectCount()).isEqualTo(1);
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(1);
        assertThat(chunks.stats().chunksDeduplicated()).isEqualTo(1);
        assertThat(chunks.stats().bytesUploaded()).isEqualTo(first.storedLength());
    }

    @Test
    void headProbeFindsChunksWrittenByAnEarlierRunWithoutUploading() {
        ChunkRef ref = store(Options.DEFAULT).put(TestData.random(50_000, 4));
        long putsBefore = bucket.calls(Operation.PUT);

        BucketChunkStore restarted = store(Options.DEFAULT);
        ChunkRef again = restarted.put(TestData.random(50_000, 4));
        assertThat(again).isEqualTo(ref);
        assertThat(bucket.calls(Operation.PUT)).isEqualTo(putsBefore);
        assertThat(bucket.calls(Operation.HEAD)).isEqualTo(2); // one miss when first written, one hit now
        assertThat(restarted.stats().bytesUploaded()).isZero();
        assertThat(restarted.stats().chunksDeduplicated()).isEqualTo(1);
        // Now known in memory: no further request at all.
        restarted.put(TestData.random(50_000, 4));
        assertThat(bucket.calls(Operation.HEAD)).isEqualTo(2);
    }

    @Test
    void conditionalPutTakesPreconditionFailedAsAlreadyPresent() {
        Options conditional = Options.DEFAULT.withProbe(DedupProbe.CONDITIONAL_PUT);
        ChunkRef ref = store(conditional).put(TestData.random(50_000, 5));
        assertThat(bucket.calls(Operation.HEAD)).isZero(); // a new chunk costs one request

        BucketChunkStore restarted = store(conditional);
        byte[] before = object(ref.id());
        assertThat(restarted.put(TestData.random(50_000, 5))).isEqualTo(ref);
        assertThat(object(ref.id())).isEqualTo(before); // not overwritten (a rewrite has a new nonce)
        assertThat(restarted.stats().chunksUploaded()).isZero();
        assertThat(restarted.stats().chunksDeduplicated()).isEqualTo(1);
    }

    @Test
    void storeWithoutConditionalWritesMerelyRewritesAnEquallyValidChunk() {
        ObjectStore ignoresConditions = new IgnoresConditionsStore(bucket);
        Options conditional = Options.DEFAULT.withProbe(DedupProbe.CONDITIONAL_PUT);
        byte[] data = TestData.compressible(20_000, 6);
        ChunkCodec codec = codec(CompressionCodec.ZSTD, true, RING_1);
        ChunkRef ref = new BucketChunkStore(ignoresConditions, TestData.hasher(), codec, conditional).put(data);
        byte[] first = object(ref.id());
        new BucketChunkStore(ignoresConditions, TestData.hasher(), codec, conditional).put(data);
        assertThat(bucket.calls(Operation.PUT)).isEqualTo(2);
        assertThat(memory.objectCount()).isEqualTo(1);
        assertThat(object(ref.id())).isNotEqualTo(first); // a new nonce: rewritten
        assertThat(store(conditional).get(ref.id())).isEqualTo(data);
    }

    @Test
    void autoProbeUploadsWithOneConditionalPutPerNewChunk() {
        Options auto = Options.DEFAULT.withProbe(DedupProbe.AUTO);
        ChunkRef ref = store(auto).put(TestData.random(50_000, 7));
        assertThat(bucket.calls(Operation.HEAD)).isZero();
        assertThat(bucket.calls(Operation.PUT)).isEqualTo(1);

        BucketChunkStore restarted = store(auto);
        assertThat(restarted.put(TestData.random(50_000, 7))).isEqualTo(ref);
        assertThat(restarted.stats().chunksUploaded()).isZero();
        assertThat(restarted.stats().chunksDeduplicated()).isEqualTo(1);
    }

    @Test
    void autoProbeFallsBackToHeadForGoodWhenTheStoreRefusesConditions() {
        RefusesConditionsStore refusing = new RefusesConditionsStore(bucket);
        BucketChunkStore chunks = new BucketChunkStore(refusing, TestData.hasher(),
                codec(CompressionCodec.ZSTD, true, RING_1), Options.DEFAULT.withProbe(DedupProbe.AUTO));
        byte[] first = TestData.random(30_000, 8);
        ChunkRef ref = chunks.put(first); // refused, then HEAD + plain put
        assertThat(chunks.get(ref.id())).isEqualTo(first);
        assertThat(refusing.refused).isEqualTo(1);

        byte[] second = TestData.random(30_000, 9);
        chunks.put(second);
        assertThat(refusing.refused).isEqualTo(1); // no conditional put any more
        assertThat(bucket.calls(Operation.HEAD)).isEqualTo(2);
        assertThat(memory.objectCount()).isEqualTo(2);
    }

    @Test
    void autoProbeKeepsConditionalPutsWhenThePlainPutFailsToo() {
        BucketChunkStore chunks = store(Options.DEFAULT.withProbe(DedupProbe.AUTO));
        byte[] data = TestData.random(20_000, 31);
        bucket.failNext(Operation.PUT, 1, () -> new dev.stowage.core.store.StoreFailureException("refused"));
        bucket.failNext(Operation.HEAD, 1, () -> new UnavailableException("connection reset", null));
        assertThatThrownBy(() -> chunks.put(data)).isInstanceOf(UnavailableException.class);

        chunks.put(data);
        chunks.put(TestData.random(20_000, 32));
        assertThat(bucket.calls(Operation.HEAD)).isEqualTo(1); // only the failed fallback probe
    }

    /** A store that refuses every conditional put, as a service without conditional writes may (501). */
    private static final class RefusesConditionsStore extends dev.stowage.core.store.ForwardingObjectStore {
        int refused;

        RefusesConditionsStore(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public dev.stowage.core.store.PutResult put(String key, byte[] data, PutOptions options) {
            if (options.ifNoneMatch()) {
                refused++;
                throw new dev.stowage.core.store.StoreFailureException("NotImplemented (HTTP 501)");
            }
            return super.put(key, data, options);
        }
    }

    @Test
    void aPutWhoseAnswerWasLostIsFoundByTheRetryAndNotUploadedAgain() {
        BucketChunkStore chunks = store(Options.DEFAULT);
        byte[] data = TestData.random(20_000, 30);
        bucket.failNextAfterCall(Operation.PUT, 1, () -> new UnavailableException("connection reset", null));
        assertThatThrownBy(() -> chunks.put(data)).isInstanceOf(UnavailableException.class);
        byte[] stored = object(TestData.hasher().idOf(data));

        ChunkRef ref = chunks.put(data);
        assertThat(bucket.calls(Operation.PUT)).isEqualTo(1);
        assertThat(object(ref.id())).isEqualTo(stored);
        assertThat(chunks.get(ref.id())).isEqualTo(data);
    }

    @Test
    void underRandomStoreFailuresEveryAcknowledgedPutReadsBackIntact() throws Exception {
        bucket.failRandomly(0.3, 7, () -> new UnavailableException("injected", null));
        BucketChunkStore chunks = store(Options.DEFAULT.withKnownPresentCapacity(4));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        byte[] data = TestData.compressible(2000 + i, i % 12);
                        ChunkRef ref = retry(() -> chunks.put(data));
                        assertThat(retry(() -> chunks.get(ref.id()))).isEqualTo(data);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(bucket.injectedFailures(Operation.PUT) + bucket.injectedFailures(Operation.HEAD)
                + bucket.injectedFailures(Operation.GET)).isPositive();
        assertThat(memory.objectCount()).isEqualTo(30);
        assertThat(chunks.stats().corruptChunks()).isZero();
    }

    private static <T> T retry(java.util.function.Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (UnavailableException e) {
                if (attempt == 50) {
                    throw e;
                }
            }
        }
    }

    @Test
    void concurrentPutsOfTheSameContentUploadItOnce() throws Exception {
        BucketChunkStore chunks = store(Options.DEFAULT);
        int threads = 8;
        int distinct = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ChunkRef>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < distinct; i++) {
                    int seed = i;
                    results.add(pool.submit(() -> chunks.put(TestData.compressible(30_000, seed))));
                }
            }
            for (Future<ChunkRef> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(memory.objectCount()).isEqualTo(distinct);
        assertThat(bucket.calls(Operation.PUT)).isEqualTo(distinct);
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(distinct);
        assertThat(chunks.stats().chunksDeduplicated()).isEqualTo((long) threads * distinct - distinct);
        for (int i = 0; i < distinct; i++) {
            byte[] expected = TestData.compressible(30_000, i);
            assertThat(chunks.get(TestData.hasher().idOf(expected))).isEqualTo(expected);
        }
    }

    @Test
    void keyRotationKeepsOldChunksReadableAndEncryptsNewOnesWithTheNewKey() {
        byte[] old = TestData.random(10_000, 7);
        ChunkRef oldRef = store(codec(CompressionCodec.ZSTD, true, RING_1), Options.DEFAULT).put(old);

        KeyRing rotated = new KeyRing(2, Map.of(1, TestData.key(1), 2, TestData.key(2)));
        BucketChunkStore after = store(codec(CompressionCodec.ZSTD, true, rotated), Options.DEFAULT);
        byte[] fresh = TestData.random(10_000, 8);
        ChunkRef freshRef = after.put(fresh);

        assertThat(keyIdOf(oldRef)).isEqualTo(1);
        assertThat(keyIdOf(freshRef)).isEqualTo(2);
        assertThat(after.get(oldRef.id())).isEqualTo(old);
        assertThat(after.get(freshRef.id())).isEqualTo(fresh);
        // Putting the old content again deduplicates; it is not re-encrypted.
        after.put(old);
        assertThat(keyIdOf(oldRef)).isEqualTo(1);
        assertThat(after.stats().chunksUploaded()).isEqualTo(1);
    }

    private long keyIdOf(ChunkRef ref) {
        return ChunkFrame.parse(object(ref.id()), "k", Integer.MAX_VALUE - 64).keyId();
    }

    @Test
    void everyKindOfDamageInTheBucketIsACorruptChunkNamingTheKey() {
        BucketChunkStore chunks = store(Options.DEFAULT);
        ChunkRef ref = chunks.put(TestData.compressible(40_000, 9));
        String key = ref.id().objectKey();
        byte[] good = memory.get(key);

        assertDamage(chunks, ref, Arrays.copyOf(good, good.length - 1), Reason.TRUNCATED);
        assertDamage(chunks, ref, Arrays.copyOf(good, 20), Reason.TRUNCATED);
        assertDamage(chunks, ref, flip(good, 14), Reason.HEADER_CHECKSUM);
        assertDamage(chunks, ref, flip(good, ChunkFrame.HEADER_LENGTH + 3), Reason.AUTHENTICATION); // payload
        assertDamage(chunks, ref, flip(good, good.length - 2), Reason.AUTHENTICATION); // tag
        assertDamage(chunks, ref, "<Error>SlowDown</Error>".getBytes(), Reason.BAD_MAGIC);
        assertThat(chunks.stats().corruptChunks()).isEqualTo(6);
    }

    @Test
    void wrongKeyFailsAuthentication() {
        ChunkRef ref = store(Options.DEFAULT).put(TestData.random(1000, 10));
        BucketChunkStore wrongKey = store(codec(CompressionCodec.ZSTD, true, KeyRing.single(1, TestData.key(66))),
                Options.DEFAULT);
        assertCorrupt(() -> wrongKey.get(ref.id()), ref.id().objectKey(), Reason.AUTHENTICATION);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodec.class)
    void swappedObjectsFailTheChunkIdCheck(CompressionCodec compression) {
        for (boolean encrypt : new boolean[] {false, true}) {
            BucketChunkStore chunks = store(codec(compression, encrypt, RING_1), Options.DEFAULT);
            ChunkRef a = chunks.put(TestData.compressible(5000, encrypt ? 11 : 12));
            ChunkRef b = chunks.put(TestData.compressible(5000, encrypt ? 13 : 14));
            byte[] objectA = object(a.id());
            overwrite(a.id().objectKey(), object(b.id()));
            overwrite(b.id().objectKey(), objectA);
            assertCorrupt(() -> chunks.get(a.id()), a.id().objectKey(), Reason.CHUNK_ID_MISMATCH);
            assertCorrupt(() -> chunks.get(b.id()), b.id().objectKey(), Reason.CHUNK_ID_MISMATCH);
        }
    }

    @Test
    void aCorruptChunkIsRepairedByTheNextPutOfItsContent() {
        BucketChunkStore chunks = store(Options.DEFAULT);
        byte[] data = TestData.compressible(40_000, 15);
        ChunkRef ref = chunks.put(data);
        String key = ref.id().objectKey();
        overwrite(key, flip(memory.get(key), 100));
        assertCorrupt(() -> chunks.get(ref.id()), key, Reason.AUTHENTICATION);

        chunks.put(data); // would deduplicate against the bad copy; instead rewrites it
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(2);
        assertThat(chunks.get(ref.id())).isEqualTo(data);
        chunks.put(data); // healthy again: deduplicates
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(2);
    }

    @Test
    void missingChunksAndStoreFailuresPassThrough() {
        BucketChunkStore chunks = store(Options.DEFAULT);
        ChunkId absent = TestData.hasher().idOf(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> chunks.get(absent)).isInstanceOf(NotFoundException.class);
        assertThat(chunks.exists(absent)).isFalse();

        UnavailableException outage = new UnavailableException("endpoint unreachable", null);
        bucket.failNext(Operation.PUT, 1, () -> outage);
        byte[] data = TestData.random(3000, 16);
        assertThatThrownBy(() -> chunks.put(data)).isSameAs(outage);
        assertThat(chunks.stats().chunksUploaded()).isZero();
        ChunkRef ref = chunks.put(data); // nothing was remembered from the failed attempt
        assertThat(chunks.get(ref.id())).isEqualTo(data);
    }

    @Test
    void deletedChunksAreGoneAndUploadedAgainWhenPutLater() {
        BucketChunkStore chunks = store(Options.DEFAULT);
        byte[] data = TestData.random(3000, 17);
        ChunkRef ref = chunks.put(data);
        assertThat(chunks.exists(ref.id())).isTrue();

        assertThat(chunks.delete(List.of(ref.id())).allDeleted()).isTrue();
        assertThat(chunks.exists(ref.id())).isFalse();
        assertThatThrownBy(() -> chunks.get(ref.id())).isInstanceOf(NotFoundException.class);

        chunks.put(data);
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(2);
        assertThat(chunks.stats().chunksDeleted()).isEqualTo(1);
        assertThat(chunks.get(ref.id())).isEqualTo(data);
    }

    @Test
    void aChunkFoundMissingIsUploadedAgainByTheNextPut() {
        BucketChunkStore chunks = store(Options.DEFAULT);
        byte[] data = TestData.random(3000, 18);
        ChunkRef ref = chunks.put(data);
        memory.delete(List.of(ref.id().objectKey())); // lost behind the store's back
        assertThatThrownBy(() -> chunks.get(ref.id())).isInstanceOf(NotFoundException.class);
        chunks.put(data);
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(2);
        assertThat(chunks.get(ref.id())).isEqualTo(data);
    }

    @Test
    void knownPresentMemoryIsBounded() {
        BucketChunkStore chunks = store(Options.DEFAULT.withKnownPresentCapacity(2));
        for (int i = 0; i < 3; i++) {
            chunks.put(TestData.random(100, 100 + i));
        }
        long heads = bucket.calls(Operation.HEAD);
        chunks.put(TestData.random(100, 102)); // recent: remembered
        assertThat(bucket.calls(Operation.HEAD)).isEqualTo(heads);
        chunks.put(TestData.random(100, 100)); // evicted: asks the bucket, still no upload
        assertThat(bucket.calls(Operation.HEAD)).isEqualTo(heads + 1);
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(3);
    }

    private void assertDamage(BucketChunkStore chunks, ChunkRef ref, byte[] damaged, Reason reason) {
        overwrite(ref.id().objectKey(), damaged);
        assertCorrupt(() -> chunks.get(ref.id()), ref.id().objectKey(), reason);
    }

    private static void assertCorrupt(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String key,
                                      Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(CorruptChunkException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.objectKey()).isEqualTo(key);
            assertThat(e.getMessage()).contains(key);
        });
    }

    private static byte[] flip(byte[] data, int index) {
        byte[] copy = data.clone();
        copy[index] ^= 0x01;
        return copy;
    }
}
