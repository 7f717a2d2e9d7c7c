package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SnapshotTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory);
    private final TestBucket bucket = TestBucket.over(faulty);

    /** Settle delay of an hour: nothing is uploaded unless a snapshot or drain asks for it. */
    private CacheSettings settings(String name) {
        return TestBucket.settings(dir.resolve(name), 32).withSettleDelay(Duration.ofHours(1));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(CachePool pool, String volume, long chunk) throws Exception {
        CachedVolume v = pool.openVolume(volume, BS);
        ByteBuffer b = ByteBuffer.allocate(SLOT);
        v.read(chunk * SLOT / BS, b);
        return b.array();
    }

    private static void write(CachePool pool, String volume, long chunk, byte[] data) throws Exception {
        pool.openVolume(volume, BS).write(chunk * SLOT / BS, ByteBuffer.wrap(data), false);
    }

    @Test
    void aVolumeFromASnapshotReadsTheOldDataAndClonesAreIndependent() throws Exception {
        byte[] a = random(SLOT, 1);
        byte[] b = random(SLOT, 2);
        byte[] a2 = random(SLOT, 3);
        byte[] c = random(SLOT, 4);
        byte[] d = random(SLOT, 5);
        byte[] e = random(SLOT, 6);
        byte[] zero = new byte[SLOT];
        Snapshot snap;
        try (CachePool pool = bucket.open(settings("c"))) {
            pool.createVolume("src", 8L * SLOT, BS);
            write(pool, "src", 0, a);
            write(pool, "src", 3, b);
            String description = "before the upgrade\nätsch = 100%";
            snap = pool.snapshots().snapshot("src", description, WAIT); // uploads the dirty chunks first
            assertThat(snap.volumeId()).isEqualTo("src");
            assertThat(snap.sizeBytes()).isEqualTo(8L * SLOT);

            write(pool, "src", 0, a2);
            pool.openVolume("src", BS).unmap(3L * SLOT / BS, SLOT / BS);
            assertThat(pool.drain(WAIT)).isTrue(); // src's recovery point moves on past the snapshot
            pool.snapshots().createVolumeFromSnapshot("restored", snap.id());
            assertThat(read(pool, "restored", 0)).isEqualTo(a);
            assertThat(read(pool, "restored", 3)).isEqualTo(b);
            assertThat(read(pool, "src", 0)).isEqualTo(a2);
            assertThat(read(pool, "src", 3)).isEqualTo(zero);

            assertThat(pool.snapshots().listSnapshots("src")).containsExactly(snap);
            assertThat(pool.snapshots().listSnapshots("src").getFirst().description()).isEqualTo(description);
            assertThat(pool.snapshots().listSnapshots("restored")).isEmpty();
            memory.put("snapshots/notes.txt", "not a snapshot".getBytes(), dev.stowage.core.store.PutOptions.DEFAULT);
            assertThat(pool.snapshots().listSnapshots("src")).as("a stray object is skipped").containsExactly(snap);

            write(pool, "restored", 1, c);
            assertThat(read(pool, "src", 1)).isEqualTo(zero);

            pool.snapshots().cloneVolume("clone", "src"); // from src's recovery point: a2, chunk 3 unmapped
            assertThat(read(pool, "clone", 0)).isEqualTo(a2);
            assertThat(read(pool, "clone", 3)).isEqualTo(zero);
            write(pool, "clone", 0, d);
            write(pool, "src", 2, e);
            assertThat(read(pool, "src", 0)).isEqualTo(a2);
            assertThat(read(pool, "clone", 2)).isEqualTo(zero);
        }
        // Reopened (c, d and e are still only in the cache), then a cache that reads only the bucket.
        for (String cache : new String[] {"c", "empty"}) {
            try (CachePool pool = bucket.open(settings(cache))) {
                assertThat(read(pool, "restored", 0)).as(cache).isEqualTo(a);
                assertThat(read(pool, "restored", 1)).as(cache).isEqualTo(c);
                assertThat(read(pool, "restored", 3)).as(cache).isEqualTo(b);
                assertThat(read(pool, "src", 0)).as(cache).isEqualTo(a2);
                assertThat(read(pool, "src", 1)).as(cache).isEqualTo(zero);
                assertThat(read(pool, "src", 2)).as(cache).isEqualTo(e);
                assertThat(read(pool, "src", 3)).as(cache).isEqualTo(zero);
                assertThat(read(pool, "clone", 0)).as(cache).isEqualTo(d);
                assertThat(read(pool, "clone", 2)).as(cache).isEqualTo(zero);
                assertThat(pool.snapshots().listSnapshots("src")).containsExactly(snap);
                assertThat(pool.drain(WAIT)).isTrue();
            }
        }
        try (CachePool pool = bucket.open(settings("again"))) {
            pool.snapshots().createVolumeFromSnapshot("restored-2", snap.id());
            pool.snapshots().deleteSnapshot(snap.id());
            assertThat(pool.snapshots().listSnapshots("src")).isEmpty();
            assertThatThrownBy(() -> pool.snapshots().get(snap.id())).isInstanceOf(NotFoundException.class);
            assertThat(read(pool, "restored-2", 0)).as("chunks stay after the record is deleted").isEqualTo(a);
        }
    }

    @Test
    void badRequestsGetClearErrorsAndAnOutageFailsTheSnapshotInsteadOfHanging() throws Exception {
        try (CachePool pool = bucket.open(settings("c"))) {
            pool.createVolume("vol", 4L * SLOT, BS);
            Snapshots snapshots = pool.snapshots();
            assertThatThrownBy(() -> snapshots.snapshot("nope", "", WAIT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not open in this cache");
            assertThatThrownBy(() -> snapshots.createVolumeFromSnapshot("x", "snapshot-1"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshot id must be");
            assertThatThrownBy(() -> snapshots.createVolumeFromSnapshot("x", "snap-0123456789abcdef"))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> snapshots.cloneVolume("vol", "vol"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
            assertThatThrownBy(() -> snapshots.cloneVolume("x", "missing")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> snapshots.snapshot("vol", "x".repeat(2000), WAIT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than");

            write(pool, "vol", 1, random(SLOT, 7));
            faulty.outage(true);
            assertThatThrownBy(() -> snapshots.snapshot("vol", "", Duration.ofMillis(300)))
                    .isInstanceOf(IOException.class).hasMessageContaining("1 chunks are not uploaded yet");
            faulty.outage(false);
            Snapshot s = snapshots.snapshot("vol", "", WAIT);
            snapshots.createVolumeFromSnapshot("copy", s.id());
            assertThat(read(pool, "copy", 1)).isEqualTo(read(pool, "vol", 1));
        }
    }
}
