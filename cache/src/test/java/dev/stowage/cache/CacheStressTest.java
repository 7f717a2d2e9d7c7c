package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several threads write, overwrite, unmap and read random ranges of a cached volume whose bucket
 * fails randomly and goes through an outage; every read is checked against an oracle, and at the
 * end a cache that starts empty reads the oracle's data back from the bucket alone.
 *
 * <p>Each thread owns interleaved 8-block stripes (so all threads work inside the same chunks at
 * once) and checks its own stripes exactly; whole-chunk writes and unmaps, which cover everyone's
 * stripes, take that chunk exclusively in the test.
 */
@Timeout(180)
class CacheStressTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;
    private static final int CHUNKS = 32;
    private static final long SIZE = (long) CHUNKS * SLOT;
    private static final int STRIPE_BLOCKS = 8;
    private static final int THREADS = 4;
    private static final int OPS = 3000;

    @TempDir
    Path dir;

    private final byte[] oracle = new byte[(int) SIZE];
    private final ReentrantReadWriteLock[] chunkLocks = new ReentrantReadWriteLock[CHUNKS];
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong notReady = new AtomicLong();

    @Test
    void concurrentRandomIoOverAFaultyBucketMatchesTheOracle() throws Exception {
        for (int i = 0; i < CHUNKS; i++) {
            chunkLocks[i] = new ReentrantReadWriteLock();
        }
        InMemoryObjectStore memory = new InMemoryObjectStore();
        FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory);
        faulty.failRandomly(0.05, 42, () -> new UnavailableException("injected failure"), Operation.PUT,
                Operation.GET, Operation.HEAD);
        TestBucket bucket = TestBucket.over(faulty);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 12).withUploadThreads(3)
                .withJournalLimit(64 * 1024))) {
            CachedVolume v = createWithRetry(pool);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < THREADS; t++) {
                int me = t;
                Thread th = new Thread(() -> {
                    try {
                        work(v, me, new Random(1000 + me));
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "stress-" + t);
                threads.add(th);
                th.start();
            }
            // One outage in the middle of the run.
            Thread.sleep(300);
            faulty.outage(true);
            Thread.sleep(700);
            faulty.outage(false);
            for (Thread th : threads) {
                th.join(150_000);
                assertThat(th.isAlive()).as("%s finished", th.getName()).isFalse();
            }
            assertThat(failures).isEmpty();
            faulty.clearFaults();
            assertThat(pool.drain(Duration.ofSeconds(60))).as("drained: %s", pool.slots.debugState()).isTrue();
            assertThat(faulty.injectedFailures(Operation.PUT) + faulty.injectedFailures(Operation.GET)
                    + faulty.injectedFailures(Operation.HEAD)).isPositive();
            assertThat(pool.metrics().evictions()).isPositive();
            assertWholeVolume(v);
            System.out.printf("stress: %d reads (%d retried while the bucket failed), %d chunks uploaded, "
                            + "%d upload failures, %d commits, %d evictions, %d journal compactions, hit %.1f%%%n",
                    reads.get(), notReady.get(), pool.metrics().chunksUploaded(), pool.metrics().uploadFailures(),
                    pool.metrics().commits(), pool.metrics().evictions(), pool.metrics().journalCompactions(),
                    pool.metrics().cacheHitPercent());
        }
        try (CachePool fresh = TestBucket.over(memory).open(TestBucket.settings(dir.resolve("fresh"), 8))) {
            assertWholeVolume(fresh.openVolume("vol1", BS));
        }
    }

    private static CachedVolume createWithRetry(CachePool pool) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return pool.createVolume("vol1", SIZE, BS);
            } catch (UnavailableException e) {
                if (i > 20) {
                    throw e;
                }
            }
        }
    }

    private void assertWholeVolume(CachedVolume v) throws DeviceException {
        for (int c = 0; c < CHUNKS; c++) {
            ByteBuffer b = ByteBuffer.allocate(SLOT);
            v.read((long) c * SLOT / BS, b);
            assertThat(Arrays.equals(b.array(), 0, SLOT, oracle, c * SLOT, (c + 1) * SLOT))
                    .as("chunk %d matches the oracle", c).isTrue();
        }
    }

    private void work(CachedVolume v, int me, Random r) throws Exception {
        int stripesPerChunk = SLOT / BS / STRIPE_BLOCKS;
        for (int op = 0; op < OPS; op++) {
            int chunk = r.nextInt(CHUNKS);
            int kind = r.nextInt(100);
            if (kind < 3) { // whole chunk, exclusive
                chunkLocks[chunk].writeLock().lock();
                try {
                    long lba = (long) chunk * SLOT / BS;
                    if (r.nextBoolean()) {
                        v.unmap(lba, SLOT / BS);
                        Arrays.fill(oracle, chunk * SLOT, (chunk + 1) * SLOT, (byte) 0);
                    } else {
                        byte[] d = new byte[SLOT];
                        r.nextBytes(d);
                        v.write(lba, ByteBuffer.wrap(d), r.nextInt(4) == 0);
                        System.arraycopy(d, 0, oracle, chunk * SLOT, SLOT);
                    }
                } finally {
                    chunkLocks[chunk].writeLock().unlock();
                }
                continue;
            }
            // A range inside one of my stripes of this chunk.
            int stripe = r.nextInt(stripesPerChunk / THREADS) * THREADS + me;
            int first = r.nextInt(STRIPE_BLOCKS);
            int count = 1 + r.nextInt(STRIPE_BLOCKS - first);
            long lba = (long) chunk * SLOT / BS + (long) stripe * STRIPE_BLOCKS + first;
            int at = (int) (lba * BS);
            chunkLocks[chunk].readLock().lock();
            try {
                if (kind < 50) {
                    byte[] d = new byte[count * BS];
                    if (r.nextInt(10) != 0) {
                        r.nextBytes(d);
                    }
                    v.write(lba, ByteBuffer.wrap(d), r.nextInt(20) == 0);
                    System.arraycopy(d, 0, oracle, at, d.length);
                } else if (kind < 55) {
                    v.unmap(lba, count);
                    Arrays.fill(oracle, at, at + count * BS, (byte) 0);
                } else if (kind < 58) {
                    v.flush();
                } else {
                    byte[] got = readRetrying(v, lba, count * BS);
                    reads.incrementAndGet();
                    if (!Arrays.equals(got, 0, got.length, oracle, at, at + got.length)) {
                        throw new AssertionError("thread " + me + " op " + op + ": read of " + count
                                + " blocks at lba " + lba + " (chunk " + chunk + ") does not match the oracle");
                    }
                }
            } finally {
                chunkLocks[chunk].readLock().unlock();
            }
        }
    }

    /** A read miss during the outage may fail with NOT_READY (retryable); never with wrong data. */
    private byte[] readRetrying(CachedVolume v, long lba, int bytes) throws Exception {
        while (true) {
            ByteBuffer b = ByteBuffer.allocate(bytes);
            try {
                v.read(lba, b);
                return b.array();
            } catch (DeviceException e) {
                if (e.error() != DeviceError.NOT_READY) {
                    throw e;
                }
                notReady.incrementAndGet();
                Thread.sleep(20);
            }
        }
    }
}
