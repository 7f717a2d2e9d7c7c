package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The metrics an administrator watches, checked against what the cache is doing. */
@Timeout(60)
class CacheMetricsTest {
    private static final int BS = 4096;
    private static final int SLOT = TestBucket.SLOT;

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

    @Test
    void dirtyUsedUploadBufferAndRecoveryPointAgeFollowWritesAndDrain() throws Exception {
        ManualClock clock = new ManualClock();
        CacheSettings settings = TestBucket.settings(dir.resolve("c"), 16).withSettleDelay(Duration.ofHours(1))
                .withClock(clock);
        try (CachePool pool = bucket.open(settings)) {
            CachedVolume v = pool.createVolume("vol", 8L * SLOT, BS);
            CacheMetrics m = pool.metrics();
            assertThat(m.cachePercentDirty()).isZero();
            assertThat(m.timeSinceLastRecoveryPointMillis("vol")).isZero();

            for (int c = 0; c < 4; c++) { // 4 of 16 slots
                v.write((long) c * SLOT / BS, ByteBuffer.wrap(random(SLOT, c)), false);
            }
            clock.advance(Duration.ofSeconds(90));
            assertThat(m.cachePercentDirty()).isEqualTo(25.0);
            assertThat(m.cachePercentUsed()).isEqualTo(25.0);
            assertThat(m.uploadBufferUsedBytes()).isEqualTo(4L * SLOT);
            assertThat(m.chunksQueuedForUpload()).isEqualTo(4);
            assertThat(m.timeSinceLastRecoveryPointMillis("vol")).isEqualTo(90_000);
            assertThat(m.maxTimeSinceLastRecoveryPointMillis()).isEqualTo(90_000);
            Map<String, Number> snap = m.snapshot();
            assertThat(snap).containsEntry("cache_dirty_percent", 25.0)
                    .containsEntry("upload_buffer_used_bytes", 4L * SLOT)
                    .containsEntry("chunks_queued_for_upload", 4L)
                    .containsEntry("max_time_since_last_recovery_point_ms", 90_000L)
                    .containsEntry("cloud_bytes_uploaded", 0L);
            assertThat(m.volumeSnapshot("vol")).containsEntry("time_since_last_recovery_point_ms", 90_000L);

            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
            assertThat(m.cachePercentDirty()).isZero();
            assertThat(m.cachePercentUsed()).isEqualTo(25.0); // still cached, now clean
            assertThat(m.uploadBufferUsedBytes()).isZero();
            assertThat(m.chunksQueuedForUpload()).isZero();
            assertThat(m.chunksWaitingForCommit()).isZero();
            assertThat(m.uploadsInFlight()).isZero();
            assertThat(m.timeSinceLastRecoveryPointMillis("vol")).isZero();
            assertThat(m.cloudBytesUploaded()).isEqualTo(4L * SLOT);
            assertThat(m.snapshot()).containsEntry("cloud_bytes_uploaded", 4L * SLOT)
                    .containsEntry("max_time_since_last_recovery_point_ms", 0L);
        }
        try (CachePool cold = bucket.open(TestBucket.settings(dir.resolve("cold"), 16))) {
            CachedVolume v = cold.openVolume("vol", BS);
            ByteBuffer b = ByteBuffer.allocate(BS);
            v.read(0, b); // miss: fetches the chunk
            v.read(0, b.clear()); // hit
            assertThat(cold.metrics().cloudBytesDownloaded()).isEqualTo(SLOT);
            assertThat(cold.metrics().cacheHitPercent()).isEqualTo(50.0);
            assertThat(cold.metrics().snapshot()).containsEntry("cache_hit_percent", 50.0);
        }
    }

    @Test
    void aWriterHeldBackByAFullCacheIsCountedUntilTheBucketIsBack() throws Exception {
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 4)
                .withSettleDelay(Duration.ofHours(1)))) {
            CachedVolume v = pool.createVolume("vol", 8L * SLOT, BS);
            faulty.outage(true);
            for (int c = 0; c < 4; c++) {
                v.write((long) c * SLOT / BS, ByteBuffer.wrap(random(SLOT, c)), false);
            }
            assertThat(pool.metrics().cachePercentDirty()).isEqualTo(100.0);
            CompletableFuture<Void> fifth = CompletableFuture.runAsync(() -> {
                try {
                    v.write(4L * SLOT / BS, ByteBuffer.wrap(random(SLOT, 4)), false);
                } catch (DeviceException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (pool.metrics().blockedWriters() == 0) {
                Thread.sleep(5);
            }
            assertThat(pool.metrics().snapshot()).containsEntry("blocked_writers", 1);
            assertThat(fifth).isNotDone();
            faulty.outage(false);
            fifth.get(30, TimeUnit.SECONDS);
            assertThat(pool.metrics().blockedWriters()).isZero();
            assertThat(pool.drain(Duration.ofSeconds(30))).isTrue();
            assertThat(pool.metrics().uploadBufferUsedBytes()).isZero();
        }
    }
}
