package dev.stowage.cache.stored;

import static dev.stowage.cache.stored.StoredFixture.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.Snapshot;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers keep writing while snapshots upload (through a slow bucket, so many writes hit chunks
 * not uploaded yet); every snapshot, restored, must equal the volume's exact content at its cut,
 * recorded while writes were held off.
 */
@Timeout(180)
class PointInTimeTest {
    private static final int BS = 512;
    private static final int CHUNKS = 48;
    private static final long SIZE = (long) CHUNKS * CHUNK;
    private static final int WRITERS = 4;
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    @Test
    void everySnapshotIsExactlyTheContentAtItsCut() throws Exception {
        FaultInjectingObjectStore store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        store.latency(FaultInjectingObjectStore.Operation.PUT, Duration.ofMillis(15));
        Bucket bucket = StoredFixture.bucket(store);
        // a small copy-on-write memory budget, so copies also go to the side file
        StoredVolumeSettings settings = StoredFixture.settings().withCowMemory(2L * CHUNK);
        try (StoredVolumes m = new StoredVolumes(dir.resolve("state"), bucket, settings)) {
            StoredVolume v = m.open("pit", dir.resolve("pit.img"), SIZE, BS, false);
            AtomicReference<byte[]> atCut = new AtomicReference<>();
            v.onCut(() -> {
                try {
                    atCut.set(StoredFixture.readAll(v));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            AtomicReference<Throwable> writerError = new AtomicReference<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                long seed = 100 + w;
                Thread t = new Thread(() -> {
                    Random r = new Random(seed);
                    try {
                        while (!stop.get()) {
                            int blocks = 1 + r.nextInt(r.nextInt(8) == 0 ? 256 : 8);
                            long lba = (long) r.nextInt((int) (SIZE / BS) - blocks);
                            byte[] data = new byte[blocks * BS];
                            r.nextBytes(data);
                            if (r.nextInt(50) == 0) {
                                v.unmap(lba, blocks);
                            } else {
                                v.write(lba, ByteBuffer.wrap(data), r.nextInt(20) == 0);
                            }
                            writes.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        writerError.set(e);
                    }
                }, "writer-" + w);
                t.start();
                writers.add(t);
            }
            List<Snapshot> snaps = new ArrayList<>();
            List<byte[]> oracles = new ArrayList<>();
            long preserved = 0;
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    long before = writes.get();
                    while (writes.get() < before + 200 && writerError.get() == null) {
                        Thread.sleep(5);
                    }
                    Snapshot s = m.snapshot("pit", "round " + round, Duration.ofSeconds(60));
                    snaps.add(s);
                    oracles.add(atCut.get());
                    preserved += v.lastUpload().preserved();
                }
            } finally {
                stop.set(true);
                for (Thread t : writers) {
                    t.join();
                }
            }
            assertThat(writerError.get()).isNull();
            for (int i = 0; i < snaps.size(); i++) {
                StoredVolume copy = m.createFromSnapshot("pit-copy-" + i, snaps.get(i).id(),
                        dir.resolve("copy-" + i + ".img"));
                byte[] restored = StoredFixture.readAll(copy);
                assertThat(firstDifference(restored, oracles.get(i))).as("snapshot %d", i).isEqualTo(-1);
            }
            // the test exercised copy-on-write: writers changed chunks of a cut before they were uploaded
            assertThat(preserved).isGreaterThan(0);
            // after the writers stopped, one more snapshot equals the final content
            Snapshot last = m.snapshot("pit", "final", Duration.ofSeconds(60));
            byte[] now = StoredFixture.readAll(v);
            assertThat(firstDifference(StoredFixture.readAll(
                    m.createFromSnapshot("pit-final", last.id(), dir.resolve("final.img"))), now)).isEqualTo(-1);
        }
    }

    private static int firstDifference(byte[] a, byte[] b) {
        int i = java.util.Arrays.mismatch(a, b);
        return i;
    }
}
