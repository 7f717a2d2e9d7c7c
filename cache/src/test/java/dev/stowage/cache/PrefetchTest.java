package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Read-ahead of sequential reads on a volume whose cache was dropped (a new cache over the same bucket). */
@Timeout(60)
class PrefetchTest {
    private static final int BS = 4096;
    private static final int SLOT = TestBucket.SLOT;
    private static final int CHUNKS = 24;

    @TempDir
    Path dir;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final GetCountingStore counting = new GetCountingStore(memory);
    private final TestBucket bucket = TestBucket.over(counting);
    private final byte[][] data = new byte[CHUNKS][];
    private final String[] keys = new String[CHUNKS];

    @BeforeEach
    void volumeInTheBucket() throws Exception {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 7); // as TestBucket
        ChunkHasher hasher = new ChunkHasher(secret);
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("writer"), 64))) {
            CachedVolume v = pool.createVolume("vol", (long) CHUNKS * SLOT, BS);
            Random r = new Random(5);
            for (int c = 0; c < CHUNKS; c++) {
                data[c] = new byte[SLOT];
                r.nextBytes(data[c]);
                keys[c] = hasher.idOf(data[c]).objectKey();
                v.write((long) c * SLOT / BS, ByteBuffer.wrap(data[c]), false);
            }
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
        }
    }

    private CachePool coldCache() throws Exception {
        return bucket.open(TestBucket.settings(dir.resolve("reader"), 128));
    }

    private static byte[] read(CachedVolume v, long offset, int length) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(length);
        v.read(offset / BS, b);
        return b.array();
    }

    private int dataGets() {
        int n = 0;
        for (String k : keys) {
            n += counting.gets(k);
        }
        return n;
    }

    @Test
    void sequentialReadsFetchAheadAndEveryChunkOnlyOnce() throws Exception {
        try (CachePool pool = coldCache()) {
            CachedVolume v = pool.openVolume("vol", BS);
            for (int c = 0; c < 3; c++) {
                assertThat(read(v, (long) c * SLOT, SLOT)).isEqualTo(data[c]);
            }
            pool.prefetcher.awaitIdle(30_000);
            // Three chunks in a row: the next DEPTH chunks were fetched without being asked for.
            assertThat(dataGets()).isEqualTo(3 + ReadStreams.DEPTH);
            assertThat(pool.metrics().prefetchedChunks()).isEqualTo(ReadStreams.DEPTH);

            // The rest in 16 KiB reads, as a file copy would: served from read-ahead.
            for (long off = 3L * SLOT; off < (long) CHUNKS * SLOT; off += 16 * 1024) {
                int c = (int) (off / SLOT);
                byte[] want = Arrays.copyOfRange(data[c], (int) (off % SLOT), (int) (off % SLOT) + 16 * 1024);
                assertThat(read(v, off, 16 * 1024)).isEqualTo(want);
            }
            pool.prefetcher.awaitIdle(30_000);
            for (int c = 0; c < CHUNKS; c++) {
                assertThat(counting.gets(keys[c])).as("GETs of chunk %d", c).isEqualTo(1);
            }
            CacheMetrics m = pool.metrics();
            assertThat(m.prefetchedChunks()).isEqualTo(CHUNKS - 3);
            // Each chunk fetched ahead was then read from the cache (or the read waited for its fetch).
            assertThat(m.prefetchHits()).isEqualTo(CHUNKS - 3);
            assertThat(m.prefetchFailures()).isZero();
            assertThat(m.snapshot()).containsEntry("prefetch_hits", (long) CHUNKS - 3);
        }
    }

    @Test
    void randomReadsDoNotPrefetch() throws Exception {
        try (CachePool pool = coldCache()) {
            CachedVolume v = pool.openVolume("vol", BS);
            Random r = new Random(9);
            for (int i = 0; i < CHUNKS; i++) {
                int c = (i * 7) % CHUNKS; // 0, 7, 14, 21, 4, 11, ...: never the chunk next to a recent read
                int off = r.nextInt(SLOT / BS) * BS;
                assertThat(read(v, (long) c * SLOT + off, BS)).isEqualTo(Arrays.copyOfRange(data[c], off, off + BS));
            }
            pool.prefetcher.awaitIdle(30_000);
            assertThat(pool.metrics().prefetchedChunks()).isZero();
            assertThat(dataGets()).isEqualTo(CHUNKS);
        }
    }

    @Test
    void failingPrefetchesNeverFailAReadThatWouldSucceed() throws Exception {
        counting.failGetsFromThreads("cache-prefetch-");
        try (CachePool pool = coldCache()) {
            CachedVolume v = pool.openVolume("vol", BS);
            for (int c = 0; c < CHUNKS; c++) {
                assertThat(read(v, (long) c * SLOT, SLOT)).as("chunk %d", c).isEqualTo(data[c]);
            }
            pool.prefetcher.awaitIdle(30_000);
            assertThat(pool.metrics().prefetchFailures()).isPositive();
            assertThat(pool.metrics().prefetchHits()).isZero();
            // Reading it all again: every chunk was kept by its own read.
            long downloaded = pool.metrics().cloudBytesDownloaded();
            for (int c = 0; c < CHUNKS; c++) {
                assertThat(read(v, (long) c * SLOT, SLOT)).isEqualTo(data[c]);
            }
            assertThat(pool.metrics().cloudBytesDownloaded()).isEqualTo(downloaded);
        }
    }
}
