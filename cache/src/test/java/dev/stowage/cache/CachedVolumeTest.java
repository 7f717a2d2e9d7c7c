package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class CachedVolumeTest {
    private static final int BS = 512;
    private static final long SIZE = 16L * TestBucket.SLOT + 8 * BS; // last chunk is short

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory);
    private final TestBucket bucket = TestBucket.over(faulty);

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(CachedVolume v, long lba, int bytes) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        v.read(lba, b);
        assertThat(b.hasRemaining()).isFalse();
        return b.array();
    }

    @Test
    void writesReadBackAcrossChunkBoundariesAndNeverWrittenAreasAreZero() throws Exception {
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 32))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            byte[] data = random(3 * TestBucket.SLOT, 1);
            long lba = TestBucket.SLOT / BS - 3; // straddles three chunk boundaries
            v.write(lba, ByteBuffer.wrap(data), false);
            assertThat(read(v, lba, data.length)).isEqualTo(data);
            assertThat(read(v, 0, BS)).isEqualTo(new byte[BS]);
            byte[] tail = random(8 * BS, 2);
            v.write(v.blockCount() - 8, ByteBuffer.wrap(tail), true);
            assertThat(read(v, v.blockCount() - 8, tail.length)).isEqualTo(tail);
            assertThatThrownBy(() -> v.write(v.blockCount() - 1, ByteBuffer.allocate(2 * BS), false))
                    .isInstanceOfSatisfying(DeviceException.class,
                            e -> assertThat(e.error()).isEqualTo(DeviceError.LBA_OUT_OF_RANGE));
            assertThatThrownBy(() -> v.write(0, ByteBuffer.allocate(100), false))
                    .isInstanceOfSatisfying(DeviceException.class,
                            e -> assertThat(e.error()).isEqualTo(DeviceError.INVALID_ARGUMENT));
        }
    }

    @Test
    void flushedWritesSurviveReopenWithoutTheBucket() throws Exception {
        byte[] a = random(5 * BS, 3);
        byte[] b = random(TestBucket.SLOT, 4);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 32).withSettleDelay(Duration.ofHours(1)))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            v.write(7, ByteBuffer.wrap(a), false);
            v.write(3L * TestBucket.SLOT / BS, ByteBuffer.wrap(b), false);
            v.unmap(3L * TestBucket.SLOT / BS, TestBucket.SLOT / BS); // whole chunk back to zeros
            v.flush();
        }
        faulty.outage(true); // reopening and reading dirty data needs no S3
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 32).withSettleDelay(Duration.ofHours(1)))) {
            CachedVolume v = pool.openVolume("vol1", BS);
            assertThat(read(v, 7, a.length)).isEqualTo(a);
            assertThat(read(v, 3L * TestBucket.SLOT / BS, TestBucket.SLOT)).isEqualTo(new byte[TestBucket.SLOT]);
            faulty.outage(false);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 32))) {
            CachedVolume v = fresh.openVolume("vol1", BS);
            assertThat(read(v, 7, a.length)).isEqualTo(a);
            assertThat(read(v, 0, 7 * BS)).isEqualTo(new byte[7 * BS]);
            assertThat(read(v, 3L * TestBucket.SLOT / BS, TestBucket.SLOT)).isEqualTo(new byte[TestBucket.SLOT]);
        }
    }

    @Test
    void tornJournalTailIsDiscardedAndFlushedDataStays() throws Exception {
        byte[] a = random(2 * BS, 5);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 8).withSettleDelay(Duration.ofHours(1)))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            v.write(0, ByteBuffer.wrap(a), true);
        }
        Path journal = dir.resolve("c").resolve("journal");
        long goodLength = Files.size(journal);
        // A record cut short by a crash: a length prefix promising more bytes than follow.
        Files.write(journal, new byte[] {0, 0, 0, 40, 2, 1, 2, 3}, StandardOpenOption.APPEND);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 8).withSettleDelay(Duration.ofHours(1)))) {
            assertThat(Files.size(journal)).isEqualTo(goodLength);
            CachedVolume v = pool.openVolume("vol1", BS);
            assertThat(read(v, 0, a.length)).isEqualTo(a);
            v.write(10, ByteBuffer.wrap(a), true); // appends after the last good record
        }
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 8))) {
            CachedVolume v = pool.openVolume("vol1", BS);
            assertThat(read(v, 10, a.length)).isEqualTo(a);
        }
    }

    @Test
    void smallWriteToUncachedChunkDoesNotFetchAndIsMergedAtUpload() throws Exception {
        byte[] full = random(TestBucket.SLOT, 6);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("a"), 8))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            v.write(0, ByteBuffer.wrap(full), false);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        byte[] patch = random(BS, 7);
        byte[] expected = full.clone();
        System.arraycopy(patch, 0, expected, 5 * BS, BS);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("b"), 8).withSettleDelay(Duration.ofHours(1)))) {
            CachedVolume v = pool.openVolume("vol1", BS);
            faulty.resetCounters();
            faulty.outage(true);
            v.write(5, ByteBuffer.wrap(patch), true); // must not need the bucket
            assertThat(faulty.calls(Operation.GET)).isZero();
            faulty.outage(false);
            assertThat(read(v, 0, TestBucket.SLOT)).isEqualTo(expected); // read merges the rest
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("c"), 8))) { // from the bucket alone
            assertThat(read(fresh.openVolume("vol1", BS), 0, TestBucket.SLOT)).isEqualTo(expected);
        }
    }

    @Test
    void neverWrittenAreasOfANewVolumeReadZerosWithoutTouchingTheBucket() throws Exception {
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 8))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            faulty.resetCounters();
            assertThat(read(v, 0, 4 * TestBucket.SLOT)).isEqualTo(new byte[4 * TestBucket.SLOT]);
            assertThat(faulty.totalCalls()).isZero();
            assertThat(v.isMapped(0)).isFalse();
        }
    }

    @Test
    void journalIsCompactedAndStillRecovers() throws Exception {
        CacheSettings s = TestBucket.settings(dir.resolve("c"), 16).withJournalLimit(64 * 1024)
                .withSettleDelay(Duration.ofHours(1));
        byte[][] expect = new byte[16][];
        try (CachePool pool = bucket.open(s)) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            Random r = new Random(8);
            for (int i = 0; i < 3000; i++) { // ~60 bytes of journal each: well past the limit
                int chunk = r.nextInt(8);
                byte[] d = random(BS, i);
                v.write((long) chunk * TestBucket.SLOT / BS, ByteBuffer.wrap(d), false);
                expect[chunk] = d;
            }
            v.flush();
            // Compaction happens on an uploader round; a drain runs rounds (and uploads).
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
            for (int i = 0; i < 200; i++) {
                int chunk = 8 + r.nextInt(8);
                byte[] d = random(BS, 10_000 + i);
                v.write((long) chunk * TestBucket.SLOT / BS, ByteBuffer.wrap(d), false);
                expect[chunk] = d;
            }
            v.flush();
            assertThat(pool.metrics().journalCompactions()).isPositive();
            assertThat(Files.size(dir.resolve("c").resolve("journal"))).isLessThan(64 * 1024 + 20_000);
        }
        try (CachePool pool = bucket.open(s)) {
            CachedVolume v = pool.openVolume("vol1", BS);
            for (int chunk = 0; chunk < 16; chunk++) {
                if (expect[chunk] != null) {
                    assertThat(read(v, (long) chunk * TestBucket.SLOT / BS, BS)).as("chunk %d", chunk)
                            .isEqualTo(expect[chunk]);
                }
            }
        }
    }

    @Test
    void secondProcessCannotOpenTheSameCache() throws Exception {
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 8))) {
            assertThatThrownBy(() -> bucket.open(TestBucket.settings(dir.resolve("c"), 8)))
                    .hasMessageContaining("in use");
        }
        assertThatThrownBy(() -> bucket.open(TestBucket.settings(dir.resolve("c"), 16)))
                .hasMessageContaining("use the same settings");
    }

    @Test
    void volumesShareThePoolButNotTheirData() throws Exception {
        byte[] a = random(TestBucket.SLOT, 11);
        byte[] b = random(TestBucket.SLOT, 12);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 4).withSettleDelay(Duration.ofHours(1)))) {
            CachedVolume va = pool.createVolume("alpha", SIZE, BS);
            CachedVolume vb = pool.createVolume("beta", SIZE, 4096);
            va.write(0, ByteBuffer.wrap(a), false);
            vb.write(0, ByteBuffer.wrap(b), false);
            vb.flush(); // durability is pool-wide
            assertThat(read(va, 0, a.length)).isEqualTo(a);
            assertThat(read(vb, 0, b.length)).isEqualTo(b);
            assertThat(pool.volumeIds()).containsExactlyInAnyOrder("alpha", "beta");
        }
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 4))) {
            assertThat(read(pool.openVolume("alpha", BS), 0, a.length)).isEqualTo(a);
            assertThat(read(pool.openVolume("beta", 4096), 0, b.length)).isEqualTo(b);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 4))) {
            assertThat(read(fresh.openVolume("alpha", BS), 0, a.length)).isEqualTo(a);
            assertThat(read(fresh.openVolume("beta", 4096), 0, b.length)).isEqualTo(b);
            assertThatThrownBy(() -> fresh.createVolume("alpha", SIZE, BS)).hasMessageContaining("already exists");
            assertThatThrownBy(() -> fresh.openVolume("gamma", BS))
                    .isInstanceOf(dev.stowage.core.store.NotFoundException.class);
            assertThatThrownBy(() -> fresh.createVolume("bad/id", SIZE, BS)).hasMessageContaining("volume id");
        }
    }
}
