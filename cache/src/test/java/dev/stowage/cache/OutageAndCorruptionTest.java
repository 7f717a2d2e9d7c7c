package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class OutageAndCorruptionTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;
    private static final long SIZE = 32L * SLOT;

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory);
    private final TestBucket bucket = TestBucket.over(faulty);

    private static byte[] chunkData(int i) {
        byte[] b = new byte[SLOT];
        new Random(1000 + i).nextBytes(b);
        return b;
    }

    private static byte[] read(CachedVolume v, long lba, int bytes) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        v.read(lba, b);
        return b.array();
    }

    /** Polls a condition that another thread will make true; gives up (and fails) after a generous bound. */
    private static void awaitTrue(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void writesKeepLandingDuringAnOutageAndAFullCacheBlocksWritersInsteadOfFailing() throws Exception {
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 8))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            faulty.outage(true);
            AtomicInteger done = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 16; i++) {
                        v.write((long) i * SLOT / BS, ByteBuffer.wrap(chunkData(i)), false);
                        done.incrementAndGet();
                    }
                    v.flush();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            awaitTrue("writer blocked on a full cache", () -> pool.metrics().blockedWriters() == 1);
            assertThat(done.get()).isEqualTo(8); // every slot holds dirty data; the ninth write waits
            assertThat(failure.get()).isNull();
            assertThat(pool.metrics().cachePercentDirty()).isEqualTo(100.0);
            assertThat(pool.metrics().timeSinceLastRecoveryPointMillis("vol1")).isGreaterThanOrEqualTo(0);
            for (int i = 0; i < 8; i++) { // written data reads back from the cache while S3 is down
                assertThat(read(v, (long) i * SLOT / BS, SLOT)).isEqualTo(chunkData(i));
            }
            faulty.outage(false); // uploads resume by themselves, slots free up, the writer finishes
            writer.join(60_000);
            assertThat(writer.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
            assertThat(done.get()).isEqualTo(16);
            assertThat(pool.drain(Duration.ofSeconds(60))).isTrue();
            assertThat(pool.metrics().uploadFailures()).isPositive();
            assertThat(pool.metrics().timeSinceLastRecoveryPointMillis("vol1")).isZero();
            assertThat(pool.metrics().cachePercentDirty()).isZero();
        }
        try (CachePool fresh = TestBucket.over(memory).open(TestBucket.settings(dir.resolve("fresh"), 8))) {
            CachedVolume v = fresh.openVolume("vol1", BS);
            for (int i = 0; i < 16; i++) {
                assertThat(read(v, (long) i * SLOT / BS, SLOT)).as("chunk %d", i).isEqualTo(chunkData(i));
            }
            assertThat(read(v, 16L * SLOT / BS, SLOT)).isEqualTo(new byte[SLOT]);
        }
    }

    @Test
    void aWriterThatWaitsTooLongGetsNotReadyNeverAMediumError() throws Exception {
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 2)
                .withMaxWriteWait(Duration.ofMillis(200)))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            faulty.outage(true);
            v.write(0, ByteBuffer.wrap(chunkData(0)), false);
            v.write(SLOT / BS, ByteBuffer.wrap(chunkData(1)), false);
            assertThatThrownBy(() -> v.write(2L * SLOT / BS, ByteBuffer.wrap(chunkData(2)), false))
                    .isInstanceOfSatisfying(DeviceException.class,
                            e -> assertThat(e.error()).isEqualTo(DeviceError.NOT_READY));
            v.write(BS / BS, ByteBuffer.allocate(BS), false); // a cached chunk still takes writes
            faulty.outage(false);
            v.write(2L * SLOT / BS, ByteBuffer.wrap(chunkData(2)), false);
            assertThat(read(v, 2L * SLOT / BS, SLOT)).isEqualTo(chunkData(2));
        }
    }

    @Test
    void aCorruptedChunkInTheBucketFailsTheReadWithAMediumErrorNamingTheObject() throws Exception {
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 8))) {
            CachedVolume v = pool.createVolume("vol1", SIZE, BS);
            v.write(0, ByteBuffer.wrap(chunkData(0)), false);
            v.write(SLOT / BS, ByteBuffer.wrap(chunkData(1)), false);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 7);
        ChunkId id = new ChunkHasher(secret).idOf(chunkData(0));
        byte[] frame = memory.get(id.objectKey());
        frame[frame.length - 10] ^= 0x40; // one bit of the payload
        memory.put(id.objectKey(), frame, PutOptions.DEFAULT);

        try (CachePool fresh = TestBucket.over(memory).open(TestBucket.settings(dir.resolve("fresh"), 8))) {
            CachedVolume v = fresh.openVolume("vol1", BS);
            assertThatThrownBy(() -> read(v, 0, BS))
                    .isInstanceOfSatisfying(DeviceException.class, e -> {
                        assertThat(e.error()).isEqualTo(DeviceError.MEDIUM_ERROR_READ);
                        assertThat(e.getMessage()).contains(id.objectKey());
                    });
            assertThat(read(v, SLOT / BS, SLOT)).isEqualTo(chunkData(1)); // the rest of the volume reads fine
            // A partial write to the damaged chunk is accepted (it needs no fetch) ...
            v.write(0, ByteBuffer.wrap(new byte[BS]), true);
            // ... but the never-written rest of that chunk still cannot be read: no wrong data.
            assertThatThrownBy(() -> read(v, 1, BS)).isInstanceOfSatisfying(DeviceException.class,
                    e -> assertThat(e.error()).isEqualTo(DeviceError.MEDIUM_ERROR_READ));
            assertThat(read(v, 0, BS)).isEqualTo(new byte[BS]);
        }
    }
}
