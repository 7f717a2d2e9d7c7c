package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.reclaim.LiveChunkSource;
import dev.stowage.cache.reclaim.ReclaimReport;
import dev.stowage.cache.reclaim.ReclaimSettings;
import dev.stowage.cache.reclaim.Reclaimer;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reclaim running in a loop while writers overwrite, unmap and
 * snapshot volumes whose chunks are drawn from a small set of contents, so uploads deduplicate
 * against chunks the sweep is deleting all the time. Every read is checked against an oracle
 * during the run; after every reclaim run every live root must be complete in the bucket; and at the end a gateway with an empty cache reads every volume and every kept
 * snapshot from the bucket alone.
 */
@Timeout(300)
class ReclaimStressTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;
    private static final int CHUNKS = 8;
    private static final int WRITERS = 3;
    private static final int OPS = 400;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore slow = new FaultInjectingObjectStore(memory)
            .latency(Operation.HEAD, Duration.ofMillis(3)).latency(Operation.DELETE, Duration.ofMillis(3))
            .latency(Operation.LIST, Duration.ofMillis(1));
    private final TestBucket bucket = TestBucket.over(slow);
    private final byte[][] alphabet = new byte[10][];

    /** A writer's state: the oracle of its volume and of its kept snapshots. */
    private record Kept(Snapshot snapshot, byte[][] content) {
    }

    private final Map<String, byte[][]> volumes = new ConcurrentHashMap<>();
    private final List<Kept> kept = new CopyOnWriteArrayList<>();

    @Test
    void reclaimDuringWritesUploadsAndSnapshotsLosesNothing() throws Exception {
        for (int i = 0; i < alphabet.length; i++) {
            alphabet[i] = ReclaimTest.random(SLOT, 1000 + i);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong runs = new AtomicLong();
        AtomicLong deleted = new AtomicLong();
        AtomicLong fenced = new AtomicLong();
        ExecutorService executor = Executors.newCachedThreadPool();
        CacheSettings settings = TestBucket.settings(dir.resolve("c"), CHUNKS + 4).withUploadThreads(4);
        try (CachePool pool = bucket.open(settings);
             Reclaimer reclaimer = new Reclaimer(slow, bucket.chunks(),
                     ReclaimSettings.DEFAULT.withGracePeriod(Duration.ZERO).withDeleteBatch(5))) {
            reclaimer.register(pool.liveChunkSource()); // runs only from the loop: checked between runs
            Future<?> loop = executor.submit(() -> {
                while (!stop.get()) {
                    ReclaimReport r = reclaimer.reclaim();
                    runs.incrementAndGet();
                    deleted.addAndGet(r.chunksDeleted());
                    fenced.addAndGet(r.skippedByFence());
                    missing.addAll(missingChunksOfLiveRoots(pool));
                }
                return null;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String id = "vol" + w;
                pool.createVolume(id, (long) CHUNKS * SLOT, BS);
                long seed = 77 + w;
                writers.add(executor.submit(() -> {
                    work(pool, id, new Random(seed));
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
            stop.set(true);
            loop.get();
            assertThat(pool.drain(WAIT)).isTrue();
            ReclaimReport last = reclaimer.reclaim();
            assertThat(last.complete()).isTrue();
            deleted.addAndGet(last.chunksDeleted());
            assertThat(BucketOracle.chunkKeys(memory))
                    .isEqualTo(BucketOracle.referencedKeys(memory, bucket.manifests()));
            for (Map.Entry<String, byte[][]> v : volumes.entrySet()) {
                for (int c = 0; c < CHUNKS; c++) {
                    assertThat(ReclaimTest.read(pool, v.getKey(), c)).isEqualTo(v.getValue()[c]);
                }
            }
        } finally {
            stop.set(true);
            executor.shutdownNow();
        }
        assertThat(missing).as("chunks of live roots missing right after a reclaim run").isEmpty();
        assertThat(runs.get()).isGreaterThan(1);
        assertThat(deleted.get()).isPositive();

        try (CachePool pool = TestBucket.over(memory).open(TestBucket.settings(dir.resolve("fresh"), 64))) {
            for (Map.Entry<String, byte[][]> v : volumes.entrySet()) {
                for (int c = 0; c < CHUNKS; c++) {
                    assertThat(ReclaimTest.read(pool, v.getKey(), c)).as("%s chunk %d", v.getKey(), c)
                            .isEqualTo(v.getValue()[c]);
                }
            }
            int n = 0;
            for (Kept k : kept) {
                String restored = "restored-" + n++;
                pool.snapshots().createVolumeFromSnapshot(restored, k.snapshot().id());
                for (int c = 0; c < CHUNKS; c++) {
                    assertThat(ReclaimTest.read(pool, restored, c)).as("%s chunk %d", k.snapshot().id(), c)
                            .isEqualTo(k.content()[c]);
                }
            }
        }
    }

    private final List<String> missing = new CopyOnWriteArrayList<>();

    /**
     * Between reclaim runs every root that is live (published heads, snapshot records, the pool's
     * committed roots) and every upload waiting for its commit must be complete in the bucket.
     */
    private List<String> missingChunksOfLiveRoots(CachePool pool) {
        List<String> out = new ArrayList<>();
        List<ChunkId> roots = new ArrayList<>();
        pool.liveChunkSource().reportLiveChunks(new LiveChunkSource.Sink() {
            @Override
            public void root(ChunkId rootRecord) {
                roots.add(rootRecord);
            }

            @Override
            public void chunk(ChunkId chunk) {
                if (memory.find(chunk.objectKey()).isEmpty()) {
                    out.add("pending upload " + chunk.objectKey());
                }
            }
        });
        for (ObjectInfo i : memory.listAll("volumes/")) {
            if (!i.key().endsWith("/head")) {
                continue; // owner records
            }
            memory.find(i.key()).ifPresent(x -> roots.add(VolumeHead.decode(memory.get(i.key()), i.key()).root()));
        }
        for (ObjectInfo i : memory.listAll(Snapshot.PREFIX)) {
            try {
                roots.add(Snapshot.decode(memory.get(i.key()), i.key()).root());
            } catch (NotFoundException e) {
                // deleted since the listing
            }
        }
        ManifestStore uncached = new ManifestStore(TestBucket.over(memory).chunks(), 0);
        for (ChunkId root : roots) {
            try {
                VolumeManifest m = uncached.loadRoot(root);
                uncached.forEachChunk(m, (index, c) -> {
                    if (memory.find(c.objectKey()).isEmpty()) {
                        out.add("chunk " + index + " of " + m.volumeId() + " root " + root + ": " + c.objectKey());
                    }
                });
            } catch (RuntimeException e) {
                out.add("root " + root + ": " + e);
            }
        }
        return out;
    }

    private void work(CachePool pool, String id, Random random) throws Exception {
        byte[][] oracle = new byte[CHUNKS][];
        for (int c = 0; c < CHUNKS; c++) {
            oracle[c] = new byte[SLOT];
        }
        volumes.put(id, oracle);
        Deque<Kept> mine = new ArrayDeque<>();
        CachedVolume v = pool.openVolume(id, BS);
        for (int op = 0; op < OPS; op++) {
            int chunk = random.nextInt(CHUNKS);
            long lba = (long) chunk * SLOT / BS;
            int dice = random.nextInt(100);
            if (dice < 45) {
                byte[] data = random.nextInt(5) == 0 ? ReclaimTest.random(SLOT, random.nextLong())
                        : alphabet[random.nextInt(alphabet.length)];
                v.write(lba, ByteBuffer.wrap(data), false);
                oracle[chunk] = data.clone();
            } else if (dice < 55) {
                int sector = random.nextInt(SLOT / BS - 8);
                byte[] data = new byte[8 * BS];
                random.nextBytes(data);
                v.write(lba + sector, ByteBuffer.wrap(data), false);
                System.arraycopy(data, 0, oracle[chunk], sector * BS, data.length);
            } else if (dice < 63) {
                v.unmap(lba, SLOT / BS);
                oracle[chunk] = new byte[SLOT];
            } else if (dice < 95) {
                ByteBuffer b = ByteBuffer.allocate(SLOT);
                v.read(lba, b);
                assertThat(b.array()).as("%s chunk %d at op %d", id, chunk, op).isEqualTo(oracle[chunk]);
            } else {
                Snapshot s = pool.snapshots().snapshot(id, "op " + op, WAIT);
                byte[][] copy = new byte[CHUNKS][];
                for (int c = 0; c < CHUNKS; c++) {
                    copy[c] = oracle[c].clone();
                }
                mine.addLast(new Kept(s, copy));
                if (mine.size() > 2) {
                    pool.snapshots().deleteSnapshot(mine.removeFirst().snapshot().id());
                }
            }
        }
        kept.addAll(mine);
    }
}
