package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Settle delay, back-off and recovery-point age, driven by a manual clock (no sleeping). */
@Timeout(60)
class UploaderTimingTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory);

    private CacheSettings settings() {
        return TestBucket.settings(dir.resolve("c"), 16).withClock(clock).withSettleDelay(Duration.ofSeconds(10))
                .withRetry(Duration.ofSeconds(1), Duration.ofSeconds(8));
    }

    private static ByteBuffer data(long seed) {
        byte[] b = new byte[SLOT];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    @Test
    void dirtyChunksWaitForTheSettleDelayThenUploadAndCommit() throws Exception {
        try (CachePool pool = TestBucket.over(faulty).open(settings())) {
            CachedVolume v = pool.createVolume("vol1", 8L * SLOT, BS);
            VolumeHead created = pool.metrics().recoveryPoint("vol1");
            v.write(0, data(1), true);
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().chunksUploaded()).isZero();
            clock.advance(Duration.ofSeconds(4));
            v.write(0, data(2), false); // a new write restarts the settle delay
            clock.advance(Duration.ofSeconds(7));
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().chunksUploaded()).isZero();
            assertThat(pool.metrics().timeSinceLastRecoveryPointMillis("vol1")).isEqualTo(11_000);
            clock.advance(Duration.ofSeconds(4));
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().chunksUploaded()).isEqualTo(1);
            assertThat(pool.metrics().recoveryPoint("vol1").generation()).isEqualTo(created.generation() + 1);
            assertThat(pool.metrics().timeSinceLastRecoveryPointMillis("vol1")).isZero();
            assertThat(pool.metrics().cachePercentDirty()).isZero();
            assertThat(pool.metrics().cachePercentUsed()).isEqualTo(100.0 / 16);
            String head = new String(memory.get(VolumeHead.objectKey("vol1")));
            assertThat(head).contains("root=" + pool.metrics().recoveryPoint("vol1").root().hex());
        }
    }

    @Test
    void aChunkWrittenAllTheTimeIsStillUploadedAfterFourSettleDelays() throws Exception {
        try (CachePool pool = TestBucket.over(faulty).open(settings())) {
            CachedVolume v = pool.createVolume("vol1", 8L * SLOT, BS);
            for (int i = 0; i < 5; i++) {
                v.write(0, data(i), false);
                pool.uploader.awaitRounds(2);
                assertThat(pool.metrics().chunksUploaded()).as("after %d s", i * 9).isZero();
                clock.advance(Duration.ofSeconds(9));
            }
            v.write(0, data(99), false);
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().chunksUploaded()).isEqualTo(1);
        }
    }

    @Test
    void failedUploadsBackOffExponentially() throws Exception {
        try (CachePool pool = TestBucket.over(faulty).open(settings().withSettleDelay(Duration.ZERO))) {
            CachedVolume v = pool.createVolume("vol1", 8L * SLOT, BS);
            faulty.failNext(Operation.HEAD, 3, () -> new UnavailableException("injected"));
            v.write(0, data(1), false);
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().uploadFailures()).isEqualTo(1);
            clock.advance(Duration.ofMillis(999)); // first back-off is 1 s
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().uploadFailures()).isEqualTo(1);
            clock.advance(Duration.ofMillis(1));
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().uploadFailures()).isEqualTo(2);
            clock.advance(Duration.ofMillis(1999)); // then 2 s
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().uploadFailures()).isEqualTo(2);
            clock.advance(Duration.ofMillis(1));
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().uploadFailures()).isEqualTo(3);
            clock.advance(Duration.ofSeconds(4));
            pool.uploader.awaitRounds(3);
            assertThat(pool.metrics().uploadFailures()).isEqualTo(3);
            assertThat(pool.metrics().chunksUploaded()).isEqualTo(1);
            assertThat(pool.metrics().timeSinceLastRecoveryPointMillis("vol1")).isZero();
        }
    }
}
