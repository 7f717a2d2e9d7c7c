package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time snapshots while writers keep writing: each snapshot, opened as a new volume from
 * the bucket alone, must equal the volume exactly as it was at the cut.
 */
@Timeout(180)
class PointInTimeSnapshotTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;
    private static final Duration WAIT = Duration.ofSeconds(60);

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

    private static byte[] readAll(CachedVolume v) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) (v.blockCount() * v.blockSize()));
        v.read(0, b);
        return b.array();
    }

    private static byte[] chunk(byte[] image, int index) {
        return Arrays.copyOfRange(image, index * SLOT, (index + 1) * SLOT);
    }

    @Test
    void manyWritersAndEachSnapshotEqualsTheVolumeAtItsCut() throws Exception {
        int chunks = 24;
        List<Snapshot> snaps = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        // Fewer slots than chunks: evictions, partially valid slots over an older base, back-pressure.
        CacheSettings settings = TestBucket.settings(dir.resolve("c"), 16);
        faulty.failRandomly(0.03, 7, () -> new UnavailableException("injected failure"), Operation.PUT);
        try (CachePool pool = bucket.open(settings)) {
            pool.cuts.budgetBuffers(2); // writers to held chunks must wait for the snapshot's uploads
            CachedVolume vol = pool.createVolume("vol", (long) chunks * SLOT, BS);
            ReentrantReadWriteLock barrier = new ReentrantReadWriteLock();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                long seed = w;
                Thread t = new Thread(() -> {
                    Random r = new Random(seed);
                    try {
                        while (!stop.get()) {
                            barrier.readLock().lock();
                            try {
                                writeSomething(vol, r, chunks);
                            } finally {
                                barrier.readLock().unlock();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "writer-" + w);
                t.start();
                writers.add(t);
            }
            for (int i = 0; i < 8; i++) {
                Thread.sleep(30); // let the writers change things between snapshots
                SnapshotCut cut;
                barrier.writeLock().lock(); // no write in flight: the image is the volume at the cut
                try {
                    images.add(readAll(vol));
                    cut = pool.snapshots().cut("vol", "cut " + i);
                } finally {
                    barrier.writeLock().unlock();
                }
                try (cut) {
                    snaps.add(cut.complete(WAIT));
                }
                assertThat(failure.get()).isNull();
            }
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(pool.cuts.buffersInUse()).as("side buffers all returned").isZero();
            assertThat(pool.cuts.copies()).as("writes hit chunks held for a snapshot").isPositive();
            faulty.clearFaults();
            assertThat(pool.drain(WAIT)).isTrue();
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 16))) {
            for (int i = 0; i < snaps.size(); i++) {
                fresh.snapshots().createVolumeFromSnapshot("restored-" + i, snaps.get(i).id());
                byte[] got = readAll(fresh.openVolume("restored-" + i, BS));
                for (int c = 0; c < chunks; c++) {
                    assertThat(chunk(got, c)).as("snapshot %d chunk %d", i, c).isEqualTo(chunk(images.get(i), c));
                }
            }
        }
    }

    /** A write of 1-64 random sectors, sometimes across a chunk boundary, a whole-chunk unmap or a partial one. */
    private static void writeSomething(CachedVolume vol, Random r, int chunks) throws Exception {
        long sectors = (long) chunks * SLOT / BS;
        int kind = r.nextInt(20);
        if (kind == 0) {
            vol.unmap((long) r.nextInt(chunks) * (SLOT / BS), SLOT / BS);
        } else if (kind == 1) {
            int n = 1 + r.nextInt(16);
            vol.unmap((long) (r.nextDouble() * (sectors - n)), n);
        } else {
            int n = 1 + r.nextInt(64);
            byte[] data = new byte[n * BS];
            r.nextBytes(data);
            vol.write((long) (r.nextDouble() * (sectors - n)), ByteBuffer.wrap(data), r.nextInt(50) == 0);
        }
    }

    @Test
    void theCutVersionKeepsItsOwnBaseWhileTheVolumeMovesOn() throws Exception {
        CacheSettings settings = TestBucket.settings(dir.resolve("c"), 16).withSettleDelay(Duration.ofHours(1));
        byte[] a = random(SLOT, 1);
        byte[] b = random(SLOT, 2);
        byte[] c = random(SLOT, 3);
        byte[] p = random(8 * BS, 4);
        byte[] q = random(8 * BS, 5);
        byte[] d = random(SLOT, 6);
        try (CachePool pool = bucket.open(settings)) {
            CachedVolume v = pool.createVolume("vol", 4L * SLOT, BS);
            v.write(0, ByteBuffer.wrap(a), false);
            v.write(SLOT / BS, ByteBuffer.wrap(b), false);
            assertThat(pool.drain(WAIT)).isTrue();
        }
        Snapshot snap;
        try (CachePool pool = bucket.open(settings)) { // reopened: the cache is cold, chunk 0 is not cached
            CachedVolume v = pool.openVolume("vol", BS);
            v.write(0, ByteBuffer.wrap(p), false); // chunk 0: only 8 sectors valid, the rest is A in the bucket
            v.unmap(SLOT / BS, SLOT / BS); // chunk 1: zero
            v.write(2L * SLOT / BS, ByteBuffer.wrap(c), false);

            SnapshotCut cut = pool.snapshots().cut("vol", "");
            assertThat(cut.pendingChunks()).isEqualTo(3);
            v.write(0, ByteBuffer.wrap(q), false); // copies chunk 0 aside first
            v.write(SLOT / BS, ByteBuffer.wrap(d), false); // over the zero chunk: nothing to copy
            v.unmap(2L * SLOT / BS, SLOT / BS); // copies chunk 2 aside first
            assertThat(pool.cuts.copies()).isEqualTo(2);
            assertThat(pool.drain(WAIT)).isTrue(); // the volume's recovery point moves past the cut
            v.write(0, ByteBuffer.wrap(d), false);
            snap = cut.complete(WAIT);
            assertThat(pool.cuts.buffersInUse()).isZero();
            assertThat(snap.root()).as("a root of its own").isNotEqualTo(pool.volume("vol").head.root());
            assertThat(pool.drain(WAIT)).isTrue();
        }
        byte[] chunk0 = a.clone();
        System.arraycopy(p, 0, chunk0, 0, p.length);
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 16))) {
            fresh.snapshots().createVolumeFromSnapshot("restored", snap.id());
            byte[] got = readAll(fresh.openVolume("restored", BS));
            assertThat(chunk(got, 0)).isEqualTo(chunk0);
            assertThat(chunk(got, 1)).isEqualTo(new byte[SLOT]);
            assertThat(chunk(got, 2)).isEqualTo(c);
            assertThat(chunk(got, 3)).isEqualTo(new byte[SLOT]);
            byte[] now = readAll(fresh.openVolume("vol", BS)); // the volume itself went on independently
            assertThat(chunk(now, 0)).isEqualTo(d);
            assertThat(chunk(now, 1)).isEqualTo(d);
            assertThat(chunk(now, 2)).isEqualTo(new byte[SLOT]);
        }
    }

    @Test
    void writersWaitForSideBuffersInsteadOfFailing() throws Exception {
        CacheSettings settings = TestBucket.settings(dir.resolve("c"), 16).withSettleDelay(Duration.ofHours(1));
        try (CachePool pool = bucket.open(settings)) {
            pool.cuts.budgetBuffers(1);
            CachedVolume v = pool.createVolume("vol", 4L * SLOT, BS);
            byte[][] before = new byte[3][];
            for (int i = 0; i < 3; i++) {
                before[i] = random(SLOT, 10 + i);
                v.write((long) i * SLOT / BS, ByteBuffer.wrap(before[i]), false);
            }
            SnapshotCut cut = pool.snapshots().cut("vol", "");
            v.write(0, ByteBuffer.wrap(random(SLOT, 20)), false); // takes the only side buffer
            Thread second = new Thread(() -> {
                try {
                    v.write(SLOT / BS, ByteBuffer.wrap(random(SLOT, 21)), false);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            second.start();
            while (second.getState() != Thread.State.TIMED_WAITING && second.getState() != Thread.State.WAITING) {
                assertThat(second.getState()).as("the second write must wait for a side buffer")
                        .isNotEqualTo(Thread.State.TERMINATED);
                Thread.sleep(1);
            }
            Snapshot s = cut.complete(WAIT); // its uploads free the buffer
            second.join();
            try (CachePool same = pool) {
                same.snapshots().createVolumeFromSnapshot("restored", s.id());
                byte[] got = readAll(same.openVolume("restored", BS));
                for (int i = 0; i < 3; i++) {
                    assertThat(chunk(got, i)).isEqualTo(before[i]);
                }
            }
        }
    }

    @Test
    void aSnapshotCutShortByCloseIsNotRecordedAndTheDataStaysSafe() throws Exception {
        CacheSettings settings = TestBucket.settings(dir.resolve("c"), 16).withSettleDelay(Duration.ofHours(1));
        byte[] a = random(SLOT, 1);
        byte[] b = random(SLOT, 2);
        CompletableFuture<Snapshot> done;
        try (CachePool pool = bucket.open(settings)) {
            CachedVolume v = pool.createVolume("vol", 4L * SLOT, BS);
            v.write(0, ByteBuffer.wrap(a), true);
            faulty.outage(true);
            SnapshotCut cut = pool.snapshots().cut("vol", "");
            done = CompletableFuture.supplyAsync(() -> {
                try {
                    return cut.complete(WAIT);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            v.write(0, ByteBuffer.wrap(b), true); // copied aside for the snapshot, acknowledged
            assertThatThrownBy(() -> pool.snapshots().cut("vol", ""))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("being taken already");
        } // closed while the snapshot waits for the bucket
        assertThatThrownBy(done::join).hasRootCauseInstanceOf(IOException.class)
                .rootCause().hasMessageContaining("abandoned");
        faulty.outage(false);
        try (CachePool pool = bucket.open(settings)) {
            assertThat(pool.snapshots().listSnapshots("vol")).isEmpty();
            assertThat(chunk(readAll(pool.openVolume("vol", BS)), 0)).isEqualTo(b);
            Snapshot s = pool.snapshots().snapshot("vol", "after", WAIT);
            assertThat(pool.drain(WAIT)).isTrue();
            assertThat(pool.snapshots().listSnapshots("vol")).containsExactly(s);
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 16))) {
            assertThat(chunk(readAll(fresh.openVolume("vol", BS)), 0)).isEqualTo(b);
        }
    }
}
