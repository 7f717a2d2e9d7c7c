package dev.stowage.cache;

import static dev.stowage.cache.ReclaimTest.random;
import static dev.stowage.cache.ReclaimTest.read;
import static dev.stowage.cache.ReclaimTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.reclaim.ReclaimReport;
import dev.stowage.cache.reclaim.ReclaimSettings;
import dev.stowage.cache.reclaim.Reclaimer;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The race between a sweep deleting a garbage chunk and an upload of the same content that
 * deduplicates against it, in both orders, made deterministic with latches in the store.
 */
@Timeout(120)
class ReclaimRaceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long AWAIT = 30;

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final HookedObjectStore hooked = new HookedObjectStore(memory);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final byte[] x = random(TestBucket.SLOT, 1); // the garbage content, written again during the sweep
    private final byte[] y = random(TestBucket.SLOT, 2);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private final CountDownLatch listPaused = new CountDownLatch(1);
    private final CountDownLatch listResume = new CountDownLatch(1);
    private final CountDownLatch headDecided = new CountDownLatch(1);
    private final CountDownLatch headResume = new CountDownLatch(1);
    private final CountDownLatch deleted = new CountDownLatch(1);

    /** Volume "vol" whose chunk 0 held x in a snapshot that is deleted: x is garbage. Returns x's id. */
    private ChunkId makeGarbage() throws Exception {
        TestBucket bucket = TestBucket.over(hooked);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("a"), 16))) {
            pool.createVolume("vol", 4L * TestBucket.SLOT, 512);
            write(pool, "vol", 0, x);
            Snapshot s = pool.snapshots().snapshot("vol", "", WAIT);
            write(pool, "vol", 0, y);
            assertThat(pool.drain(WAIT)).isTrue();
            pool.snapshots().deleteSnapshot(s.id());
            return bucket.manifests().chunkAt(bucket.manifests().loadRoot(s.root()), 0);
        }
    }

    private static void await(CountDownLatch l) throws InterruptedException {
        assertThat(l.await(AWAIT, TimeUnit.SECONDS)).isTrue();
    }

    /** Pauses the sweep before it lists x's prefix (the mark is done by then), and notes x's delete. */
    private void hookSweep(ChunkId id) {
        String prefix = id.objectKey().substring(0, "chunks/xx/".length());
        hooked.beforeList = p -> {
            if (p.equals(prefix) && listPaused.getCount() > 0) {
                listPaused.countDown();
                awaitQuietly(listResume);
            }
        };
        hooked.afterDelete = keys -> {
            if (keys.contains(id.objectKey())) {
                deleted.countDown();
            }
        };
    }

    private static void awaitQuietly(CountDownLatch l) {
        try {
            l.await(AWAIT, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Reclaimer reclaimer(TestBucket bucket, CachePool pool) {
        Reclaimer r = new Reclaimer(hooked, bucket.chunks(),
                ReclaimSettings.DEFAULT.withGracePeriod(Duration.ZERO).withSweepThreads(1));
        r.register(pool.liveChunkSource());
        return r;
    }

    private void assertBucketAloneReadsYThenX() throws Exception {
        try (CachePool pool = TestBucket.over(memory).open(TestBucket.settings(dir.resolve("check"), 16))) {
            assertThat(read(pool, "vol", 0)).isEqualTo(y);
            assertThat(read(pool, "vol", 1)).isEqualTo(x);
        }
    }

    @Test
    void anUploadThatFoundTheChunkPresentBeforeTheSweepDeletedItUploadsItAgain() throws Exception {
        ChunkId id = makeGarbage();
        TestBucket bucket = TestBucket.over(hooked); // a restarted gateway: nothing known, puts ask the bucket
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("b"), 16));
             Reclaimer reclaimer = reclaimer(bucket, pool)) {
            pool.openVolume("vol", 512);
            hookSweep(id);
            hooked.afterHeadFound = key -> {
                if (key.equals(id.objectKey()) && headDecided.getCount() > 0) {
                    headDecided.countDown();
                    awaitQuietly(headResume);
                }
            };
            Future<ReclaimReport> run = executor.submit(reclaimer::reclaim);
            await(listPaused); // marked: x is garbage

            write(pool, "vol", 1, x); // the uploader puts x: HEAD finds it, and stops there
            await(headDecided);
            listResume.countDown(); // the sweep goes on and deletes x
            await(deleted);
            assertThat(memory.find(id.objectKey())).isEmpty();
            headResume.countDown(); // the upload goes on with its stale "present"

            ReclaimReport report = run.get();
            assertThat(report.skippedByFence()).isZero(); // the sweep came first
            assertThat(pool.drain(WAIT)).isTrue();
            assertThat(memory.find(id.objectKey())).isPresent(); // uploaded again before it was committed
            assertThat(read(pool, "vol", 1)).isEqualTo(x);
        }
        assertBucketAloneReadsYThenX();
    }

    @Test
    void anUploadRecordedBeforeTheSweepClaimsTheChunkKeepsIt() throws Exception {
        ChunkId id = makeGarbage();
        TestBucket bucket = TestBucket.over(hooked);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("b"), 16));
             Reclaimer reclaimer = reclaimer(bucket, pool)) {
            pool.openVolume("vol", 512);
            hookSweep(id);
            Future<ReclaimReport> run = executor.submit(reclaimer::reclaim);
            await(listPaused); // marked: x is garbage

            write(pool, "vol", 1, x);
            assertThat(pool.drain(WAIT)).isTrue(); // deduplicated against x and committed
            listResume.countDown();

            ReclaimReport report = run.get();
            assertThat(report.skippedByFence()).isEqualTo(1);
            assertThat(deleted.getCount()).isEqualTo(1); // never deleted
            assertThat(memory.find(id.objectKey())).isPresent();
        }
        assertBucketAloneReadsYThenX();
    }

    @Test
    void aDeletedChunkTheStoreKnewIsUploadedWhenWrittenAgain() throws Exception {
        TestBucket bucket = TestBucket.over(hooked);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("a"), 16));
             Reclaimer reclaimer = reclaimer(bucket, pool)) {
            pool.createVolume("vol", 4L * TestBucket.SLOT, 512);
            write(pool, "vol", 0, x);
            Snapshot s = pool.snapshots().snapshot("vol", "", WAIT); // this chunk store uploaded x: it knows it
            ChunkId id = bucket.manifests().chunkAt(bucket.manifests().loadRoot(s.root()), 0);
            write(pool, "vol", 0, y);
            assertThat(pool.drain(WAIT)).isTrue();
            pool.snapshots().deleteSnapshot(s.id());

            assertThat(reclaimer.reclaim().chunksDeleted()).isPositive();
            assertThat(memory.find(id.objectKey())).isEmpty();

            write(pool, "vol", 1, x); // must not be deduplicated against the memory of x
            assertThat(pool.drain(WAIT)).isTrue();
            assertThat(memory.find(id.objectKey())).isPresent();
        }
        assertBucketAloneReadsYThenX();
    }

    /**
     * A snapshot recorded after the run listed the snapshots, of a committed root that was never a
     * listed head (its head could not be published) and that the volume leaves behind before the
     * pool reports: only the pool's note of adopted roots keeps that root's chunks.
     */
    @Test
    void aSnapshotRecordedAfterTheListingKeepsItsRootWhileTheVolumeMovesOn() throws Exception {
        TestBucket bucket = TestBucket.over(hooked);
        Snapshot s;
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("a"), 16));
             Reclaimer reclaimer = reclaimer(bucket, pool)) {
            pool.createVolume("vol", 4L * TestBucket.SLOT, 512);
            write(pool, "vol", 0, random(TestBucket.SLOT, 3));
            assertThat(pool.drain(WAIT)).isTrue(); // the head that the run will list
            hooked.beforePut = key -> {
                if (key.startsWith("volumes/") && key.endsWith("/head")) {
                    throw new dev.stowage.core.store.UnavailableException("injected: head not published");
                }
            };
            long generation = pool.volume("vol").head.generation();
            write(pool, "vol", 0, x);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.volume("vol").head.generation() == generation && System.nanoTime() < deadline) {
                pool.drain(Duration.ofMillis(50)); // committed before the run, never published
            }
            hooked.afterList = prefix -> {
                if (prefix.equals(Snapshot.PREFIX) && listPaused.getCount() > 0) {
                    listPaused.countDown(); // the bucket's roots are listed; the engines have not reported
                    awaitQuietly(listResume);
                }
            };
            Future<ReclaimReport> run = executor.submit(reclaimer::reclaim);
            await(listPaused);
            s = pool.snapshots().snapshot("vol", "after the listing", WAIT); // keeps the root with x
            write(pool, "vol", 0, y);
            hooked.beforePut = null;
            assertThat(pool.drain(WAIT)).isTrue(); // the volume's root no longer names x
            listResume.countDown();
            assertThat(run.get().complete()).isTrue();
        }
        try (CachePool pool = TestBucket.over(memory).open(TestBucket.settings(dir.resolve("check"), 16))) {
            pool.snapshots().createVolumeFromSnapshot("restored", s.id());
            assertThat(read(pool, "restored", 0)).isEqualTo(x);
            assertThat(read(pool, "vol", 0)).isEqualTo(y);
        }
    }
}
