package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.cache.reclaim.ReclaimException;
import dev.stowage.cache.reclaim.ReclaimReport;
import dev.stowage.cache.reclaim.ReclaimSettings;
import dev.stowage.cache.reclaim.Reclaimer;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Space reclaim over a cache pool and an in-memory bucket: what is deleted, what stays, interruptions, grace. */
@Timeout(120)
class ReclaimTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final InMemoryObjectStore memory = new InMemoryObjectStore("memory", clock,
            InMemoryObjectStore.DEFAULT_MULTIPART_THRESHOLD, InMemoryObjectStore.DEFAULT_PART_SIZE);
    private final HookedObjectStore hooked = new HookedObjectStore(memory);
    private final TestBucket bucket = TestBucket.over(hooked);
    private final ReclaimSettings reclaimSettings = ReclaimSettings.DEFAULT.withClock(clock);

    /** Settle delay of an hour (on the system clock): uploads happen on snapshot or drain only. */
    private CacheSettings cache(String name) {
        return TestBucket.settings(dir.resolve(name), 32).withSettleDelay(Duration.ofHours(1));
    }

    private Reclaimer reclaimer(CachePool pool, ReclaimSettings settings) {
        Reclaimer r = new Reclaimer(hooked, bucket.chunks(), settings);
        r.register(pool.liveChunkSource());
        return r;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] read(CachePool pool, String volume, long chunk) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(SLOT);
        pool.openVolume(volume, BS, true).read(chunk * SLOT / BS, b); // a second gateway may read it
        return b.array();
    }

    static void write(CachePool pool, String volume, long chunk, byte[] data) throws Exception {
        pool.openVolume(volume, BS).write(chunk * SLOT / BS, ByteBuffer.wrap(data), false);
    }

    private ChunkId chunkOf(ChunkId root, long index) {
        VolumeManifest m = bucket.manifests().loadRoot(root);
        return bucket.manifests().chunkAt(m, index);
    }

    private boolean present(ChunkId id) {
        return memory.find(id.objectKey()).isPresent();
    }

    @Test
    void deletingASnapshotDeletesOnlyWhatNothingElseReferences() throws Exception {
        byte[] a = random(SLOT, 1);
        byte[] b = random(SLOT, 2);
        byte[] c = random(SLOT, 3);
        byte[] a2 = random(SLOT, 4);
        byte[] b2 = random(SLOT, 5);
        byte[] a3 = random(SLOT, 6);
        byte[] zero = new byte[SLOT];
        Snapshot s1;
        Snapshot s2;
        try (CachePool pool = bucket.open(cache("c"));
             Reclaimer reclaimer = reclaimer(pool, reclaimSettings)) {
            pool.createVolume("vol", 8L * SLOT, BS);
            pool.createVolume("other", 4L * SLOT, BS);
            write(pool, "vol", 0, a);
            write(pool, "vol", 1, b);
            write(pool, "vol", 2, c);
            s1 = pool.snapshots().snapshot("vol", "first", WAIT);
            write(pool, "vol", 0, a2);
            write(pool, "vol", 1, b2);
            s2 = pool.snapshots().snapshot("vol", "second", WAIT);
            write(pool, "vol", 0, a3);
            write(pool, "other", 0, b); // shares chunk b with s1 only
            assertThat(pool.drain(WAIT)).isTrue();

            ChunkId idA = chunkOf(s1.root(), 0);
            ChunkId idB = chunkOf(s1.root(), 1);
            ChunkId idC = chunkOf(s1.root(), 2);
            ChunkId idA2 = chunkOf(s2.root(), 0);
            ChunkId idB2 = chunkOf(s2.root(), 1);
            clock.advance(Duration.ofHours(2)); // past the grace period

            pool.snapshots().deleteSnapshot(s1.id());
            TreeSet<String> before = BucketOracle.chunkKeys(memory);
            TreeSet<String> referenced = BucketOracle.referencedKeys(memory, bucket.manifests());
            assertThat(before).containsAll(referenced).hasSizeGreaterThan(referenced.size());

            ReclaimReport report = reclaimer.reclaim();

            TreeSet<String> after = BucketOracle.chunkKeys(memory);
            assertThat(after).isEqualTo(referenced); // all garbage gone, nothing referenced touched
            assertThat(report.complete()).isTrue();
            assertThat(report.chunksDeleted()).isEqualTo(before.size() - after.size());
            assertThat(report.chunksListed()).isEqualTo(before.size());
            assertThat(report.bytesFreed()).isGreaterThan(SLOT); // at least chunk a (random: incompressible)
            assertThat(report.skippedByGrace()).isZero();
            assertThat(present(idA)).isFalse(); // only s1 had it
            assertThat(present(s1.root())).isFalse();
            assertThat(present(idB)).isTrue(); // "other" has it
            assertThat(present(idC)).isTrue(); // the volume and s2 have it
            assertThat(present(idA2)).isTrue();
            assertThat(present(idB2)).isTrue();
            assertThat(present(s2.root())).isTrue();

            ReclaimReport again = reclaimer.reclaim(); // idempotent
            assertThat(again.chunksDeleted()).isZero();
            assertThat(BucketOracle.chunkKeys(memory)).isEqualTo(referenced);
        }
        // A gateway with an empty cache, reading the bucket alone (a fresh chunk store: nothing known).
        TestBucket fresh = TestBucket.over(memory);
        try (CachePool pool = fresh.open(cache("fresh"))) {
            assertThat(read(pool, "vol", 0)).isEqualTo(a3);
            assertThat(read(pool, "vol", 1)).isEqualTo(b2);
            assertThat(read(pool, "vol", 2)).isEqualTo(c);
            for (long i = 3; i < 8; i++) {
                assertThat(read(pool, "vol", i)).isEqualTo(zero);
            }
            assertThat(read(pool, "other", 0)).isEqualTo(b);
            assertThat(pool.snapshots().listSnapshots("vol")).extracting(Snapshot::id).containsExactly(s2.id());
            pool.snapshots().createVolumeFromSnapshot("from-s2", s2.id());
            assertThat(read(pool, "from-s2", 0)).isEqualTo(a2);
            assertThat(read(pool, "from-s2", 1)).isEqualTo(b2);
            assertThat(read(pool, "from-s2", 2)).isEqualTo(c);
        }
    }

    @Test
    void deleteSnapshotRequestsABackgroundReclaimWhenAttached() throws Exception {
        try (CachePool pool = bucket.open(cache("c"));
             Reclaimer reclaimer = new Reclaimer(hooked, bucket.chunks(), reclaimSettings)) {
            reclaimer.attach(pool);
            pool.createVolume("vol", 4L * SLOT, BS);
            write(pool, "vol", 0, random(SLOT, 10));
            Snapshot s = pool.snapshots().snapshot("vol", "", WAIT);
            write(pool, "vol", 0, random(SLOT, 11));
            assertThat(pool.drain(WAIT)).isTrue();
            ChunkId old = chunkOf(s.root(), 0);
            clock.advance(Duration.ofHours(2));
            assertThat(reclaimer.lastReport()).isEmpty();

            pool.snapshots().deleteSnapshot(s.id()); // returns at once; the run follows in the background

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (reclaimer.lastReport().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(reclaimer.lastReport()).hasValueSatisfying(r -> assertThat(r.chunksDeleted()).isPositive());
            assertThat(present(old)).isFalse();
            assertThat(BucketOracle.chunkKeys(memory))
                    .isEqualTo(BucketOracle.referencedKeys(memory, bucket.manifests()));
        }
    }

    /** Many snapshots, each with its own chunks, all deleted: plenty of garbage in many prefixes. */
    private List<byte[]> makeGarbage(CachePool pool) throws Exception {
        pool.createVolume("vol", 8L * SLOT, BS);
        List<byte[]> current = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            current.add(null);
        }
        for (int round = 0; round < 6; round++) {
            for (int chunk = 0; chunk < 8; chunk++) {
                byte[] data = random(SLOT, 100 + round * 8 + chunk);
                write(pool, "vol", chunk, data);
                current.set(chunk, data);
            }
            Snapshot s = pool.snapshots().snapshot("vol", "round " + round, WAIT);
            if (round < 5) {
                pool.snapshots().deleteSnapshot(s.id());
            }
        }
        assertThat(pool.drain(WAIT)).isTrue();
        clock.advance(Duration.ofHours(2));
        return current;
    }

    private void assertVolumeReadsFromTheBucketAlone(List<byte[]> expected, String name) throws Exception {
        TestBucket fresh = TestBucket.over(memory);
        try (CachePool pool = fresh.open(cache(name))) {
            for (int chunk = 0; chunk < expected.size(); chunk++) {
                assertThat(read(pool, "vol", chunk)).as("chunk %d", chunk).isEqualTo(expected.get(chunk));
            }
            Snapshot kept = pool.snapshots().listSnapshots("vol").getFirst();
            pool.snapshots().createVolumeFromSnapshot("kept-" + name, kept.id());
            for (int chunk = 0; chunk < expected.size(); chunk++) {
                assertThat(read(pool, "kept-" + name, chunk)).isEqualTo(expected.get(chunk));
            }
        }
    }

    @Test
    void aSweepInterruptedByFailingListingsAndDeletesLeavesOnlyGarbageAndARerunFinishes() throws Exception {
        try (CachePool pool = bucket.open(cache("c"));
             Reclaimer reclaimer = reclaimer(pool, reclaimSettings.withDeleteBatch(3).withPrefixAttempts(1)
                     .withSweepThreads(3))) {
            List<byte[]> expected = makeGarbage(pool);
            TreeSet<String> referenced = BucketOracle.referencedKeys(memory, bucket.manifests());
            TreeSet<String> before = BucketOracle.chunkKeys(memory);
            Random faults = new Random(42);
            AtomicInteger deletes = new AtomicInteger();
            hooked.beforeList = prefix -> {
                if (prefix.startsWith("chunks/") && faults.nextInt(4) == 0) {
                    throw new UnavailableException("injected: listing " + prefix + " failed");
                }
            };
            hooked.beforeDelete = keys -> {
                if (deletes.incrementAndGet() % 3 == 0) {
                    throw new UnavailableException("injected: delete failed");
                }
            };
            hooked.afterDelete = keys -> {
                if (deletes.get() % 4 == 0) {
                    throw new UnavailableException("injected: the answer to a delete was lost");
                }
            };

            ReclaimReport broken = reclaimer.reclaim();

            assertThat(broken.complete()).isFalse();
            assertThat(broken.failedPrefixes()).isNotEmpty();
            assertThat(broken.chunksDeleted()).isPositive();
            TreeSet<String> between = BucketOracle.chunkKeys(memory);
            assertThat(between).containsAll(referenced).hasSizeLessThan(before.size())
                    .hasSizeGreaterThan(referenced.size()); // some garbage gone, some left, nothing live lost
            assertVolumeReadsFromTheBucketAlone(expected, "between"); // adds a volume made from the snapshot
            referenced = BucketOracle.referencedKeys(memory, bucket.manifests());
            between = BucketOracle.chunkKeys(memory);

            hooked.beforeList = null;
            hooked.beforeDelete = null;
            hooked.afterDelete = null;
            ReclaimReport rerun = reclaimer.reclaim();
            assertThat(rerun.complete()).isTrue();
            assertThat(BucketOracle.chunkKeys(memory)).isEqualTo(referenced);
            assertThat(rerun.chunksDeleted()).isEqualTo(between.size() - referenced.size());
            assertVolumeReadsFromTheBucketAlone(expected, "after");
        }
    }

    @Test
    void aMarkThatCannotReadAManifestPageDeletesNothing() throws Exception {
        try (CachePool pool = bucket.open(cache("c"));
             Reclaimer reclaimer = reclaimer(pool, reclaimSettings)) {
            List<byte[]> expected = makeGarbage(pool);
            TreeSet<String> before = BucketOracle.chunkKeys(memory);
            Snapshot kept = pool.snapshots().listSnapshots("vol").getFirst();
            VolumeManifest m = bucket.manifests().loadRoot(kept.root());
            // A fresh chunk store (no page cache anywhere) over a bucket that lost a page of a live root.
            TestBucket other = TestBucket.over(hooked);
            byte[] page = memory.get(m.rootPage().objectKey());
            memory.delete(List.of(m.rootPage().objectKey()));
            try (Reclaimer r = new Reclaimer(hooked, other.chunks(), reclaimSettings)) {
                assertThatThrownBy(r::reclaim).isInstanceOf(ReclaimException.class)
                        .hasMessageContaining(m.rootPage().objectKey()).hasMessageContaining("cannot be read");
            }
            TreeSet<String> after = BucketOracle.chunkKeys(memory);
            after.add(m.rootPage().objectKey());
            assertThat(after).isEqualTo(before); // nothing else deleted
            memory.put(m.rootPage().objectKey(), page, dev.stowage.core.store.PutOptions.DEFAULT);
            assertThat(reclaimer.reclaim().complete()).isTrue();
            assertVolumeReadsFromTheBucketAlone(expected, "after");
        }
    }

    @Test
    void chunksYoungerThanTheGracePeriodStay() throws Exception {
        try (CachePool pool = bucket.open(cache("c"));
             Reclaimer reclaimer = reclaimer(pool, reclaimSettings.withGracePeriod(Duration.ofHours(3)))) {
            List<byte[]> expected = makeGarbage(pool); // written, then the clock moved on two hours
            TreeSet<String> before = BucketOracle.chunkKeys(memory);
            TreeSet<String> referenced = BucketOracle.referencedKeys(memory, bucket.manifests());

            ReclaimReport young = reclaimer.reclaim();
            assertThat(young.chunksDeleted()).isZero();
            assertThat(young.skippedByGrace()).isEqualTo(before.size() - referenced.size());
            assertThat(BucketOracle.chunkKeys(memory)).isEqualTo(before);

            clock.advance(Duration.ofMinutes(61)); // now 3 h 1 min old
            ReclaimReport old = reclaimer.reclaim();
            assertThat(old.skippedByGrace()).isZero();
            assertThat(old.chunksDeleted()).isEqualTo(before.size() - referenced.size());
            assertThat(BucketOracle.chunkKeys(memory)).isEqualTo(referenced);
            assertVolumeReadsFromTheBucketAlone(expected, "after");
        }
    }

    @Test
    void aCommittedRootWhoseHeadIsNotPublishedIsKept() throws Exception {
        byte[] first = random(SLOT, 20);
        byte[] second = random(SLOT, 21);
        try (CachePool pool = bucket.open(cache("c"));
             Reclaimer reclaimer = reclaimer(pool, reclaimSettings.withGracePeriod(Duration.ZERO))) {
            pool.createVolume("vol", 4L * SLOT, BS);
            write(pool, "vol", 0, first);
            assertThat(pool.drain(WAIT)).isTrue();
            hooked.beforePut = key -> {
                if (key.startsWith("volumes/") && key.endsWith("/head")) {
                    throw new UnavailableException("injected: head not published");
                }
            };
            long generation = pool.volume("vol").head.generation();
            write(pool, "vol", 1, second);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.volume("vol").head.generation() == generation && System.nanoTime() < deadline) {
                pool.drain(Duration.ofMillis(50)); // commits, but cannot publish the head
            }
            ChunkId published = VolumeHead.decode(memory.get(VolumeHead.objectKey("vol")), "head").root();
            assertThat(pool.volume("vol").headUnpublished).isTrue();
            assertThat(pool.volume("vol").head.root()).isNotEqualTo(published);

            ReclaimReport report = reclaimer.reclaim(); // the bucket's head does not name the second chunk

            assertThat(report.complete()).isTrue();
            hooked.beforePut = null;
            assertThat(pool.drain(WAIT)).isTrue();
        }
        try (CachePool pool = TestBucket.over(memory).open(cache("fresh"))) {
            assertThat(read(pool, "vol", 0)).isEqualTo(first);
            assertThat(read(pool, "vol", 1)).isEqualTo(second);
        }
    }
}
