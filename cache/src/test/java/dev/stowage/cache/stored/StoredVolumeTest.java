package dev.stowage.cache.stored;

import static dev.stowage.cache.stored.StoredFixture.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.cache.CachePool;
import dev.stowage.cache.CacheSettings;
import dev.stowage.cache.CachedVolume;
import dev.stowage.cache.Snapshot;
import dev.stowage.cache.VolumeHead;
import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Change tracking, incremental snapshots, outages and restores of stored volumes, in-process. */
@Timeout(120)
class StoredVolumeTest {
    private static final int BS = 512;
    private static final int CHUNKS = 64;
    private static final long SIZE = (long) CHUNKS * CHUNK;
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private InMemoryObjectStore memory;
    private FaultInjectingObjectStore faults;
    private StoredFixture.CountingStore counting;
    private Bucket bucket;
    private final Random random = new Random(42);

    @BeforeEach
    void setUp() {
        memory = new InMemoryObjectStore();
        faults = new FaultInjectingObjectStore(memory);
        counting = new StoredFixture.CountingStore(faults);
        bucket = StoredFixture.bucket(counting);
    }

    private StoredVolumes manager() {
        return new StoredVolumes(dir.resolve("state"), bucket, StoredFixture.settings());
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void write(StoredVolume v, long offset, byte[] data) throws DeviceException {
        v.write(offset / BS, ByteBuffer.wrap(data), false);
    }

    @Test
    void snapshotsUploadOnlyTheChangedChunks() throws Exception {
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("vol1", dir.resolve("vol1.img"), SIZE, BS, false);
            assertThat(v.changedChunks()).isZero();
            write(v, 0, randomBytes((int) SIZE)); // every chunk, incompressible
            assertThat(v.changedChunks()).isEqualTo(CHUNKS);
            m.snapshot("vol1", "full", T);
            long full = counting.chunkBytes.sum();
            assertThat(full).isGreaterThanOrEqualTo(SIZE).isLessThan(SIZE + 32 * 1024);
            assertThat(v.changedChunks()).isZero();

            counting.reset();
            write(v, 5L * CHUNK + 4096, randomBytes(4096));          // one chunk, small write
            write(v, 20L * CHUNK, randomBytes(CHUNK));               // one whole chunk
            write(v, 40L * CHUNK - 1024, randomBytes(2048));         // straddles chunks 39 and 40
            assertThat(v.changedChunks()).isEqualTo(4);
            Snapshot s2 = m.snapshot("vol1", "four chunks", T);
            long data = 4L * CHUNK;
            // four data chunks plus the manifest: one leaf page (64 ids) and the root record
            assertThat(counting.chunkBytes.sum()).isGreaterThanOrEqualTo(data).isLessThan(data + 8 * 1024);
            assertThat(counting.chunkPuts.sum()).isEqualTo(4 + 2);

            counting.reset();
            Snapshot s3 = m.snapshot("vol1", "nothing changed", T);
            assertThat(counting.chunkBytes.sum()).isLessThan(1024); // a root record only
            assertThat(s3.generation()).isEqualTo(s2.generation() + 1);
            assertThat(m.listSnapshots("vol1")).extracting(Snapshot::description)
                    .containsExactly("full", "four chunks", "nothing changed");
            assertThat(VolumeHead.decode(memory.get(VolumeHead.objectKey("vol1")), "head").root()).isEqualTo(s3.root());
        }
    }

    @Test
    void zeroChunksAreNotUploadedAndUnmapIsTracked() throws Exception {
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("thin", dir.resolve("thin.img"), SIZE, BS, false);
            write(v, 3L * CHUNK, randomBytes(BS));
            write(v, 9L * CHUNK, new byte[CHUNK]); // zeros written explicitly: changed, but nothing to upload
            m.snapshot("thin", "", T);
            assertThat(counting.chunkBytes.sum()).isLessThan(CHUNK + 4096);
            byte[] before = StoredFixture.readAll(v);

            v.unmap(3L * CHUNK / BS, CHUNK / BS); // chunk 3 back to zeros
            assertThat(v.changedChunks()).isEqualTo(1);
            Snapshot s = m.snapshot("thin", "", T);
            assertThat(StoredFixture.readAll(v)).isNotEqualTo(before).isEqualTo(new byte[(int) SIZE]);
            StoredVolume restored = m.createFromSnapshot("thin-copy", s.id(), dir.resolve("copy.img"));
            assertThat(StoredFixture.readAll(restored)).isEqualTo(new byte[(int) SIZE]);
        }
    }

    @Test
    void restoresIntoANewStoredVolumeAndIntoACachedVolume() throws Exception {
        byte[] expected;
        Snapshot s;
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("src", dir.resolve("src.img"), SIZE, BS, false);
            for (int i = 0; i < 40; i++) {
                write(v, (long) random.nextInt((int) (SIZE / BS) - 16) * BS, randomBytes(BS * (1 + random.nextInt(16))));
            }
            s = m.snapshot("src", "for restore", T);
            expected = StoredFixture.readAll(v);
            write(v, 0, randomBytes(CHUNK)); // after the snapshot: not in it

            StoredVolume copy = m.createFromSnapshot("copy", s.id(), dir.resolve("copy.img"));
            assertThat(StoredFixture.readAll(copy)).isEqualTo(expected);
            // the restored volume continues incrementally from the snapshot's manifest
            counting.reset();
            write(copy, 7L * CHUNK, randomBytes(BS));
            Snapshot c1 = m.snapshot("copy", "", T);
            assertThat(counting.chunkPuts.sum()).isEqualTo(1 + 2);
            assertThat(c1.volumeId()).isEqualTo("copy");
            assertThat(m.volumeIds()).containsExactly("src", "copy");
        }
        CacheSettings cs = CacheSettings.defaults(dir.resolve("cache"), 8).withSlotSize(CHUNK)
                .withSettleDelay(Duration.ZERO);
        try (CachePool pool = CachePool.open(cs, bucket.chunks(), bucket.manifests(), counting)) {
            pool.snapshots().createVolumeFromSnapshot("cached-copy", s.id());
            CachedVolume cv = pool.openVolume("cached-copy", BS);
            assertThat(StoredFixture.readAll(cv)).isEqualTo(expected);
        }
    }

    @Test
    void aStoredVolumeRestoresACachedVolumesSnapshot() throws Exception {
        CacheSettings cs = CacheSettings.defaults(dir.resolve("cache"), 8).withSlotSize(CHUNK)
                .withSettleDelay(Duration.ZERO);
        byte[] expected = randomBytes(3 * CHUNK);
        Snapshot s;
        try (CachePool pool = CachePool.open(cs, bucket.chunks(), bucket.manifests(), counting)) {
            CachedVolume cv = pool.createVolume("cached", SIZE, BS);
            cv.write(CHUNK / BS, ByteBuffer.wrap(expected), false);
            s = pool.snapshots().snapshot("cached", "cached", T);
        }
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.createFromSnapshot("stored", s.id(), dir.resolve("s.img"));
            byte[] all = StoredFixture.readAll(v);
            assertThat(java.util.Arrays.copyOfRange(all, CHUNK, 4 * CHUNK)).isEqualTo(expected);
            assertThat(java.util.Arrays.copyOfRange(all, 0, CHUNK)).isEqualTo(new byte[CHUNK]);
        }
    }

    @Test
    void snapshotDuringAnOutageFailsCleanlyAndTheNextOneHasEverything() throws Exception {
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("out", dir.resolve("out.img"), SIZE, BS, false);
            write(v, 0, randomBytes(8 * CHUNK));
            m.snapshot("out", "before", T);
            write(v, 2L * CHUNK, randomBytes(BS));
            write(v, 30L * CHUNK, randomBytes(2 * CHUNK));
            faults.outage(true);
            assertThatThrownBy(() -> m.snapshot("out", "during", Duration.ofMillis(500)))
                    .isInstanceOf(IOException.class).hasMessageContaining("next snapshot");
            assertThat(v.changedChunks()).isEqualTo(3);
            write(v, 50L * CHUNK, randomBytes(BS)); // writes go on during the outage
            assertThat(v.changedChunks()).isEqualTo(4);
            faults.outage(false);
            assertThat(m.listSnapshots("out")).extracting(Snapshot::description).containsExactly("before");
            Snapshot s = m.snapshot("out", "after", T);
            assertThat(v.changedChunks()).isZero();
            byte[] now = StoredFixture.readAll(v);
            StoredVolume copy = m.createFromSnapshot("out-copy", s.id(), dir.resolve("copy.img"));
            assertThat(StoredFixture.readAll(copy)).isEqualTo(now);
        }
    }

    @Test
    void changesSurviveAReopenAndExistingDataIsKeptOnlyWhenAsked() throws Exception {
        Path file = dir.resolve("disk.img");
        byte[] content = randomBytes((int) SIZE);
        Files.write(file, content);
        try (StoredVolumes m = manager()) {
            assertThatThrownBy(() -> m.open("disk", file, SIZE, BS, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("preserve_existing_data");
            assertThatThrownBy(() -> m.open("disk", file, SIZE * 2, BS, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is " + SIZE + " bytes");
            StoredVolume v = m.open("disk", file, SIZE, BS, true);
            assertThat(v.changedChunks()).isEqualTo(CHUNKS);
            assertThat(StoredFixture.readAll(v)).isEqualTo(content);
            m.snapshot("disk", "first", T);
            write(v, 11L * CHUNK, randomBytes(BS));
            write(v, 14L * CHUNK, randomBytes(BS));
        }
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("disk", file, SIZE, BS, false);
            assertThat(v.changedChunks()).isEqualTo(2);
            counting.reset();
            Snapshot s = m.snapshot("disk", "second", T);
            assertThat(counting.chunkPuts.sum()).isEqualTo(2 + 2);
            byte[] now = StoredFixture.readAll(v);
            assertThat(StoredFixture.readAll(m.createFromSnapshot("disk2", s.id(), dir.resolve("d2.img")))).isEqualTo(now);
            assertThatThrownBy(() -> m.open("disk", dir.resolve("other.img"), SIZE, BS, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already open");
        }
        try (StoredVolumes m = manager()) {
            assertThatThrownBy(() -> m.open("disk", dir.resolve("other.img"), SIZE, BS, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keeps its data in");
            assertThat(m.open("disk", file, SIZE, BS, false).changedChunks()).isZero();
        }
    }

    @Test
    void aVolumeIdUsedInTheBucketIsRefusedAndWritesPastTheEndFail() throws Exception {
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("a", dir.resolve("a.img"), SIZE, BS, false);
            m.snapshot("a", "", T);
            assertThatThrownBy(() -> v.write(SIZE / BS, ByteBuffer.allocate(BS), false))
                    .isInstanceOfSatisfying(DeviceException.class,
                            e -> assertThat(e.error()).isEqualTo(DeviceError.LBA_OUT_OF_RANGE));
        }
        try (StoredVolumes other = new StoredVolumes(dir.resolve("other-state"), bucket, StoredFixture.settings())) {
            assertThatThrownBy(() -> other.open("a", dir.resolve("b.img"), SIZE, BS, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already used in the bucket");
            assertThatThrownBy(() -> other.snapshot("nope", "", T)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFailedRestoreLeavesNothingBehind() throws Exception {
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("src", dir.resolve("src.img"), SIZE, BS, false);
            write(v, 0, randomBytes(4 * CHUNK));
            Snapshot s = m.snapshot("src", "", T);
            assertThatThrownBy(() -> m.createFromSnapshot("x", "snap-0123456789abcdef", dir.resolve("x.img")))
                    .isInstanceOf(dev.stowage.core.store.NotFoundException.class);
            assertThat(dir.resolve("x.img")).doesNotExist();
            assertThatThrownBy(() -> m.createFromSnapshot("y", s.id(), dir.resolve("src.img")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("it exists");
            assertThat(StoredFixture.readAll(m.createFromSnapshot("z", s.id(), dir.resolve("z.img"))))
                    .isEqualTo(StoredFixture.readAll(v));
            // a data chunk lost from the bucket: the restore fails half way and removes its partial file
            var manifest = bucket.manifests().loadRoot(s.root());
            String lost = bucket.manifests().chunkAt(manifest, 2).objectKey();
            memory.delete(java.util.List.of(lost));
            assertThatThrownBy(() -> m.createFromSnapshot("w", s.id(), dir.resolve("w.img")))
                    .isInstanceOf(IOException.class).hasMessageContaining("restore of volume");
            assertThat(dir.resolve("w.img")).doesNotExist();
            assertThat(m.volumeIds()).containsExactly("src", "z");
        }
    }

    @Test
    void closingStopsASnapshotWaitingForTheBucketAndKeepsItsChanges() throws Exception {
        Path file = dir.resolve("c.img");
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("c", file, SIZE, BS, false);
            write(v, 0, randomBytes(3 * CHUNK));
            faults.resetCounters();
            faults.outage(true);
            java.util.concurrent.atomic.AtomicReference<Throwable> result = new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    m.snapshot("c", "", Duration.ofHours(1));
                } catch (Throwable e) {
                    result.set(e);
                }
            });
            t.start();
            while (faults.calls(FaultInjectingObjectStore.Operation.HEAD) == 0
                    && faults.calls(FaultInjectingObjectStore.Operation.PUT) == 0) {
                Thread.sleep(5); // the snapshot is retrying against the unreachable bucket
            }
            v.close(); // returns although the snapshot's deadline is an hour away
            t.join();
            assertThat(result.get()).isInstanceOf(IOException.class).hasMessageContaining("closing");
        }
        faults.outage(false);
        try (StoredVolumes m = manager()) {
            StoredVolume v = m.open("c", file, SIZE, BS, false);
            assertThat(v.changedChunks()).isEqualTo(3);
        }
    }
}
