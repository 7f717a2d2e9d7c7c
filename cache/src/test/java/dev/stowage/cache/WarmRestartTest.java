package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Clean chunks in the data file stay usable after a restart, and never come back stale. */
@Timeout(60)
class WarmRestartTest {
    private static final int BS = 4096;
    private static final int SLOT = TestBucket.SLOT;
    private static final int CHUNKS = 8;

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final GetCountingStore counting = new GetCountingStore(memory);
    private final TestBucket bucket = TestBucket.over(counting);

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(CachedVolume v, long offset, int length) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(length);
        v.read(offset / BS, b);
        return b.array();
    }

    private CachePool open(String name) throws Exception {
        return bucket.open(TestBucket.settings(dir.resolve(name), 32));
    }

    /** Writes CHUNKS chunks of random data to a new volume and drains; returns the data. */
    private byte[][] writeVolume(CachePool pool) throws Exception {
        CachedVolume v = pool.createVolume("vol", (long) CHUNKS * SLOT, BS);
        byte[][] data = new byte[CHUNKS][];
        for (int c = 0; c < CHUNKS; c++) {
            data[c] = random(SLOT, c);
            v.write((long) c * SLOT / BS, ByteBuffer.wrap(data[c]), false);
        }
        assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        return data;
    }

    @Test
    void uploadedAndFetchedChunksAreReadAfterARestartWithoutAnyGet() throws Exception {
        byte[][] data;
        try (CachePool writer = open("writer")) {
            data = writeVolume(writer);
        }
        try (CachePool writer = open("writer")) { // written here, committed: warm
            assertThat(writer.metrics().warmChunksRestored()).isEqualTo(CHUNKS);
            int before = counting.totalGets();
            CachedVolume v = writer.openVolume("vol", BS);
            for (int c = 0; c < CHUNKS; c++) {
                assertThat(read(v, (long) c * SLOT, SLOT)).isEqualTo(data[c]);
            }
            assertThat(counting.totalGets()).isEqualTo(before);
            assertThat(writer.metrics().cloudBytesDownloaded()).isZero();
            assertThat(writer.metrics().cacheHitPercent()).isEqualTo(100.0);
        }

        try (CachePool reader = open("reader")) { // a cold cache: every chunk fetched once
            CachedVolume v = reader.openVolume("vol", BS);
            for (int c = CHUNKS - 1; c >= 0; c--) { // backwards: no read-ahead, each read fetches its chunk
                assertThat(read(v, (long) c * SLOT, SLOT)).isEqualTo(data[c]);
            }
        }
        int before = counting.totalGets();
        try (CachePool reader = open("reader")) { // fetched before the restart: still there
            assertThat(reader.metrics().warmChunksRestored()).isEqualTo(CHUNKS);
            CachedVolume v = reader.openVolume("vol", BS);
            for (int c = 0; c < CHUNKS; c++) {
                assertThat(read(v, (long) c * SLOT, SLOT)).isEqualTo(data[c]);
            }
            assertThat(counting.totalGets()).isEqualTo(before);
            assertThat(reader.metrics().warmChunksRejected()).isZero();
        }
    }

    @Test
    void aKeptChunkOverwrittenLaterComesBackWithTheNewData() throws Exception {
        byte[][] data;
        byte[] whole = random(SLOT, 100);
        byte[] small = random(BS, 101);
        try (CachePool pool = open("c")) {
            data = writeVolume(pool);
            CachedVolume v = pool.openVolume("vol", BS);
            v.write(0, ByteBuffer.wrap(whole), false); // chunk 0 replaced, not uploaded yet
            v.write((long) SLOT / BS, ByteBuffer.wrap(small), false); // 4 KiB of chunk 1
            v.flush();
        }
        byte[] chunk1 = data[1].clone();
        System.arraycopy(small, 0, chunk1, 0, BS);
        try (CachePool pool = open("c")) {
            CachedVolume v = pool.openVolume("vol", BS);
            assertThat(read(v, 0, SLOT)).isEqualTo(whole);
            assertThat(read(v, SLOT, SLOT)).isEqualTo(chunk1);
            assertThat(read(v, 2L * SLOT, SLOT)).isEqualTo(data[2]);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        int before = counting.totalGets();
        try (CachePool pool = open("c")) { // the new versions are the kept ones now
            CachedVolume v = pool.openVolume("vol", BS);
            assertThat(read(v, 0, SLOT)).isEqualTo(whole);
            assertThat(read(v, SLOT, SLOT)).isEqualTo(chunk1);
            assertThat(counting.totalGets()).isEqualTo(before);
        }
        try (CachePool pool = open("c")) { // unmapped chunks do not come back either
            CachedVolume v = pool.openVolume("vol", BS);
            v.unmap(0, SLOT / BS);
            v.flush();
        }
        try (CachePool pool = open("c")) {
            assertThat(read(pool.openVolume("vol", BS), 0, SLOT)).isEqualTo(new byte[SLOT]);
        }
    }

    @Test
    void aKeptSlotThatNoLongerMatchesItsChecksumIsReadFromTheBucket() throws Exception {
        byte[][] data;
        int slot0;
        int slot1;
        try (CachePool pool = open("c")) {
            data = writeVolume(pool);
            slot0 = pool.index.get(new ChunkKey(pool.volume("vol").number, 0)).slot;
            slot1 = pool.index.get(new ChunkKey(pool.volume("vol").number, 1)).slot;
        }
        // The data of a clean chunk never reached the disk, or its slot got other bytes whose record was lost.
        try (FileChannel f = FileChannel.open(dir.resolve("c").resolve("cache.data"), StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(random(BS, 7)), (long) slot0 * SLOT + 3 * BS);
            f.write(ByteBuffer.wrap(random(BS, 8)), (long) slot1 * SLOT + 5 * BS);
        }
        byte[] small = random(BS, 9);
        try (CachePool pool = open("c")) {
            CachedVolume v = pool.openVolume("vol", BS);
            assertThat(read(v, 0, SLOT)).isEqualTo(data[0]);
            // A write into a kept chunk that is wrong: the rest of the chunk still comes from the bucket.
            v.write((long) SLOT / BS, ByteBuffer.wrap(small), false);
            byte[] chunk1 = data[1].clone();
            System.arraycopy(small, 0, chunk1, 0, BS);
            assertThat(read(v, SLOT, SLOT)).isEqualTo(chunk1);
            assertThat(read(v, 2L * SLOT, SLOT)).isEqualTo(data[2]);
            assertThat(pool.metrics().warmChunksRejected()).isEqualTo(2);
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("other"), 32))) {
            byte[] chunk1 = data[1].clone();
            System.arraycopy(small, 0, chunk1, 0, BS);
            assertThat(read(pool.openVolume("vol", BS), SLOT, SLOT)).isEqualTo(chunk1);
        }
    }
}
