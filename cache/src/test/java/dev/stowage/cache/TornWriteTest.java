package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power loss with unflushed writes: the journal record of a write reached the disk, its data did
 * not (simulated by putting other bytes into the slot after the cache was closed). Such a write may
 * be lost, but the sectors must read as they were before it, never as another chunk's data, and
 * flushed writes must survive.
 */
@Timeout(60)
class TornWriteTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final TestBucket bucket = TestBucket.over(memory);

    private CacheSettings settings(String name) {
        return TestBucket.settings(dir.resolve(name), 16).withSettleDelay(Duration.ofHours(1));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(CachedVolume v, long chunk, int offset, int length) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(length);
        v.read((chunk * SLOT + offset) / BS, b);
        return b.array();
    }

    private static void write(CachedVolume v, long chunk, int offset, byte[] data) throws Exception {
        v.write((chunk * SLOT + offset) / BS, ByteBuffer.wrap(data), false);
    }

    private static int slotOf(CachePool pool, String volume, long chunk) {
        return pool.index.get(new ChunkKey(pool.volume(volume).number, chunk)).slot;
    }

    /** Puts {@code bytes} into the data file at byte {@code offset} of {@code slot}, as if the disk held them. */
    private void overwriteSlot(String cache, int slot, int offset, byte[] bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(cache).resolve("cache.data").toFile(), "rw")) {
            f.seek((long) slot * SLOT + offset);
            f.write(bytes);
        }
    }

    /**
     * Removes the FLUSH record the close appended, so the last writes look as they would after a
     * power loss: their records reached the disk, no flush followed them.
     */
    private void dropFlushOfClose(String cache) throws Exception {
        Path journal = dir.resolve(cache).resolve("journal");
        Journal.Replay r = Journal.read(journal);
        int n = r.records().size();
        assertThat(r.records().get(n - 1)).isInstanceOf(JournalRecord.Flush.class);
        try (var ch = java.nio.channels.FileChannel.open(journal, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(r.endOffsets().get(n - 2));
        }
    }

    @Test
    void anUnflushedWriteWhoseDataNeverArrivedReadsAsBeforeNeverAsAnotherChunk() throws Exception {
        byte[] old = random(SLOT, 1);
        byte[] foreign = random(SLOT, 2);
        byte[] flushed = random(SLOT, 3);
        byte[] lost = random(4096, 4);
        int slot0;
        int slot3;
        try (CachePool pool = bucket.open(settings("c"))) {
            CachedVolume v = pool.createVolume("vol", 8L * SLOT, BS);
            write(v, 0, 0, old);
            write(v, 1, 0, foreign);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue(); // chunks 0 and 1 in the recovery point
            write(v, 2, 0, flushed);
            v.flush();
            write(v, 0, 0, lost);        // into the cached (clean) entry of chunk 0
            write(v, 3, 8192, lost);     // a new entry: chunk 3 is zero in the recovery point
            slot0 = slotOf(pool, "vol", 0);
            slot3 = slotOf(pool, "vol", 3);
        }
        // The journal records made it to disk; the data did not: the slots hold another chunk's bytes.
        dropFlushOfClose("c");
        overwriteSlot("c", slot0, 0, Arrays.copyOf(foreign, 4096));
        overwriteSlot("c", slot3, 8192, Arrays.copyOf(foreign, 4096));

        for (int round = 0; round < 2; round++) { // the second open reads the journal recovery rewrote
            try (CachePool pool = bucket.open(settings("c"))) {
                CachedVolume v = pool.openVolume("vol", BS);
                assertThat(read(v, 0, 0, SLOT)).as("chunk 0 as committed").isEqualTo(old);
                assertThat(read(v, 3, 0, SLOT)).as("chunk 3 as committed: zeros").isEqualTo(new byte[SLOT]);
                assertThat(read(v, 2, 0, SLOT)).as("the flushed write").isEqualTo(flushed);
                assertThat(read(v, 1, 0, SLOT)).isEqualTo(foreign);
                if (round == 1) {
                    assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
                }
            }
        }
        try (CachePool pool = bucket.open(settings("empty"))) { // the bucket alone
            CachedVolume v = pool.openVolume("vol", BS);
            assertThat(read(v, 0, 0, SLOT)).isEqualTo(old);
            assertThat(read(v, 2, 0, SLOT)).isEqualTo(flushed);
            assertThat(read(v, 3, 0, SLOT)).isEqualTo(new byte[SLOT]);
        }
    }

    @Test
    void aChunkThatWasZeroReadsAsZerosWhenItsWriteNeverArrived() throws Exception {
        byte[] foreign = random(SLOT, 5);
        byte[] kept = random(4096, 6);
        byte[] lost = random(4096, 7);
        int slot0;
        int slot1;
        try (CachePool pool = bucket.open(settings("c"))) {
            CachedVolume v = pool.createVolume("new", 4L * SLOT, BS); // empty: new entries are zero-filled
            write(v, 0, 4096, kept);      // its data reaches the disk, the zeros around it do not
            write(v, 0, 0, lost);
            write(v, 1, 4096, lost);
            slot0 = slotOf(pool, "new", 0);
            slot1 = slotOf(pool, "new", 1);
        }
        dropFlushOfClose("c");
        overwriteSlot("c", slot0, 0, Arrays.copyOf(foreign, 4096));
        overwriteSlot("c", slot1, 0, foreign); // neither the zeros nor the data of chunk 1 arrived
        try (CachePool pool = bucket.open(settings("c"))) {
            CachedVolume v = pool.openVolume("new", BS);
            byte[] zero = new byte[SLOT];
            byte[] chunk0 = zero.clone();
            System.arraycopy(kept, 0, chunk0, 4096, 4096);
            assertThat(read(v, 0, 0, SLOT)).isEqualTo(chunk0);
            assertThat(read(v, 1, 0, SLOT)).isEqualTo(zero);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        try (CachePool pool = bucket.open(settings("empty"))) {
            CachedVolume v = pool.openVolume("new", BS);
            assertThat(read(v, 0, 4096, 4096)).isEqualTo(kept);
            assertThat(read(v, 1, 0, SLOT)).isEqualTo(new byte[SLOT]);
        }
    }

    @Test
    void aVersion1JournalIsReadAndRewrittenAsVersion2() throws Exception {
        byte[] a = random(3 * BS, 8);
        byte[] b = random(SLOT, 9);
        try (CachePool pool = bucket.open(settings("c"))) {
            CachedVolume v = pool.createVolume("vol", 4L * SLOT, BS);
            write(v, 0, 1024, a);
            write(v, 2, 0, b);
            v.flush();
        }
        Path journal = dir.resolve("c").resolve("journal");
        Journal.Replay replay = Journal.read(journal);
        ByteArrayOutputStream v1 = new ByteArrayOutputStream();
        Journal.Header h = replay.header();
        v1.write(Journal.encodeHeader(new Journal.Header(h.slotSize(), h.slotCount(), h.epoch(), h.createdMillis(), 1)));
        int writes = 0;
        for (JournalRecord r : replay.records()) {
            if (r instanceof JournalRecord.Flush) {
                continue; // version 1 had none
            }
            if (r instanceof JournalRecord.Write w) {
                v1.write(JournalTest.version1Write(w.slot(), w.volume(), w.chunk(), w.gen(), w.firstSector(),
                        w.sectorCount(), w.fresh()));
                writes++;
            } else {
                v1.write(Journal.encode(r));
            }
        }
        assertThat(writes).isEqualTo(2);
        Files.write(journal, v1.toByteArray());
        try (CachePool pool = bucket.open(settings("c"))) {
            assertThat(Journal.read(journal).header().formatVersion()).isEqualTo(Journal.VERSION);
            CachedVolume v = pool.openVolume("vol", BS);
            assertThat(read(v, 0, 1024, a.length)).isEqualTo(a);
            assertThat(read(v, 2, 0, SLOT)).isEqualTo(b);
        }
    }
}
