package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways (two cache pools on one bucket, or a copy of a cache directory) writing one volume:
 * the second writer is detected, and no acknowledged write of either is lost from its cache.
 */
@Timeout(120)
class TwoGatewaysTest {
    static final int BS = 512;
    static final int SLOT = TestBucket.SLOT;
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static byte[] random(long seed) {
        byte[] b = new byte[SLOT];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void write(CachedVolume v, long chunk, byte[] data) throws Exception {
        v.write(chunk * SLOT / BS, ByteBuffer.wrap(data), true);
    }

    static byte[] read(CachedVolume v, long chunk) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(SLOT);
        v.read(chunk * SLOT / BS, b);
        return b.array();
    }

    @Test
    void aSecondGatewayIsRefusedThenTakesOverAndTheFirstStopsWithoutLosingWrites() throws Exception {
        secondWriterIsDetected(TestBucket.over(new InMemoryObjectStore()), dir);
    }

    /** The scenario, over any bucket (also run over S3Proxy). */
    static void secondWriterIsDetected(TestBucket bucket, Path dir) throws Exception {
        ManualClock clock = new ManualClock();
        CacheSettings sa = TestBucket.settings(dir.resolve("a"), 16).withSettleDelay(Duration.ofHours(1))
                .withClock(clock);
        CacheSettings sb = TestBucket.settings(dir.resolve("b"), 16).withSettleDelay(Duration.ofHours(1))
                .withClock(clock);
        byte[] a0 = random(1);
        byte[] a1 = random(2);
        byte[] b1 = random(3);
        Snapshot saved;
        try (CachePool a = bucket.open(sa); CachePool b = bucket.open(sb)) {
            CachedVolume va = a.createVolume("vol", 4L * SLOT, BS);
            write(va, 0, a0);
            assertThat(a.drain(WAIT)).isTrue();
            assertThat(a.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.OK);
            String headKey = VolumeHead.objectKey("vol");
            assertThat(VolumeHead.decode(bucket.store().get(headKey), headKey).generation()).isEqualTo(1);

            assertThatThrownBy(() -> b.openVolume("vol", BS)).isInstanceOf(VolumeInUseException.class)
                    .hasMessageContaining("volume vol is in use by gateway " + a.guard.identity().id())
                    .hasMessageContaining("take-over");
            CachedVolume vb = b.openVolume("vol", BS, true);
            assertThat(read(vb, 0)).isEqualTo(a0);
            write(vb, 1, b1);
            assertThat(b.drain(WAIT)).isTrue(); // b's head replaces a's (a's ETag no longer matches)

            write(va, 1, a1); // acknowledged by a before a knows
            awaitConflict(a); // at a's next head write
            assertThat(a.drain(Duration.ofMillis(200))).as("a cannot publish any more").isFalse();
            VolumeHealth health = a.volumeHealth("vol");
            assertThat(health.status()).isEqualTo(VolumeHealth.Status.CONFLICT);
            assertThat(health.detail()).contains("another gateway").isNotEmpty();
            assertThat(read(va, 1)).as("a keeps its acknowledged write").isEqualTo(a1);
            assertThatThrownBy(() -> write(va, 2, a1)).isInstanceOfSatisfying(DeviceException.class,
                    e -> assertThat(e.error()).isEqualTo(DeviceError.WRITE_PROTECTED));
            assertThat(read(vb, 1)).isEqualTo(b1);
            assertThat(b.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.OK);
        }
        // The conflict survives a restart of a; b's data is the volume's in the bucket.
        try (CachePool a = bucket.open(sa)) {
            CachedVolume va = a.openVolume("vol", BS);
            assertThat(a.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.CONFLICT);
            assertThat(read(va, 1)).isEqualTo(a1);
            assertThatThrownBy(() -> write(va, 3, a1)).isInstanceOf(DeviceException.class);
            // Its data can be kept without taking over: a snapshot holds what this cache has.
            saved = a.snapshots().snapshot("vol", "kept after the conflict", WAIT);
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 16).withClock(clock))) {
            CachedVolume v = fresh.openVolume("vol", BS); // b released the volume when it closed
            assertThat(read(v, 0)).isEqualTo(a0);
            assertThat(read(v, 1)).isEqualTo(b1);
            fresh.snapshots().createVolumeFromSnapshot("vol-from-a", saved.id());
            CachedVolume fromA = fresh.openVolume("vol-from-a", BS);
            assertThat(read(fromA, 0)).isEqualTo(a0);
            assertThat(read(fromA, 1)).isEqualTo(a1);
        }
        // The operator decides a's data wins: take-over publishes it.
        try (CachePool a = bucket.open(sa)) {
            CachedVolume va = a.openVolume("vol", BS, true);
            assertThat(a.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.OK);
            write(va, 3, a0);
            assertThat(a.drain(WAIT)).isTrue();
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh2"), 16).withClock(clock))) {
            CachedVolume v = fresh.openVolume("vol", BS);
            assertThat(read(v, 1)).isEqualTo(a1);
            assertThat(read(v, 3)).isEqualTo(a0);
        }
    }

    @Test
    void anOwnerGoneLongerThanTheLeaseIsReplacedAndTheOldOwnerNoticesAtItsRefresh() throws Exception {
        TestBucket bucket = TestBucket.over(new InMemoryObjectStore());
        ManualClock clock = new ManualClock();
        CacheSettings sa = TestBucket.settings(dir.resolve("a"), 16).withSettleDelay(Duration.ofHours(1))
                .withClock(clock);
        try (CachePool a = bucket.open(sa);
             CachePool b = bucket.open(TestBucket.settings(dir.resolve("b"), 16).withClock(clock))) {
            CachedVolume va = a.createVolume("vol", 4L * SLOT, BS);
            write(va, 0, random(1));
            clock.advance(VolumeGuard.OWNER_LEASE.plusSeconds(1)); // a stopped refreshing (hung, cut off)
            CachedVolume vb = b.openVolume("vol", BS); // no take-over needed
            assertThat(b.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.OK);
            a.guard.refreshOwners();
            assertThat(a.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.CONFLICT);
            assertThat(a.volumeHealth("vol").detail()).contains(b.guard.identity().id());
            assertThat(read(va, 0)).isEqualTo(random(1));
            assertThatThrownBy(() -> write(va, 1, random(2))).isInstanceOf(DeviceException.class);
            write(vb, 1, random(3));
            assertThat(b.drain(WAIT)).isTrue();
        }
    }

    @Test
    void aRestoredCopyOfTheCacheDirectoryCannotOverwriteNewerHeads() throws Exception {
        TestBucket bucket = TestBucket.over(new InMemoryObjectStore());
        CacheSettings sa = TestBucket.settings(dir.resolve("a"), 16).withSettleDelay(Duration.ofHours(1));
        try (CachePool a = bucket.open(sa)) {
            write(a.createVolume("vol", 4L * SLOT, BS), 0, random(1));
            assertThat(a.drain(WAIT)).isTrue();
        }
        Path copy = dir.resolve("old-vm");
        copyTree(dir.resolve("a"), copy); // the VM image taken now, restored later
        try (CachePool a = bucket.open(sa)) {
            write(a.openVolume("vol", BS), 1, random(2));
            assertThat(a.drain(WAIT)).isTrue();
        }
        try (CachePool old = bucket.open(TestBucket.settings(copy, 16).withSettleDelay(Duration.ofHours(1)))) {
            // Same gateway id, so the owner record does not stop it; its first head write (at open) fails.
            CachedVolume v = old.openVolume("vol", BS);
            awaitConflict(old);
            assertThat(old.drain(Duration.ofMillis(200))).isFalse();
            assertThat(old.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.CONFLICT);
            assertThatThrownBy(() -> write(v, 2, random(3))).isInstanceOfSatisfying(DeviceException.class,
                    e -> assertThat(e.error()).isEqualTo(DeviceError.WRITE_PROTECTED));
            assertThat(read(v, 0)).as("what it had is still readable").isEqualTo(random(1));
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 16))) {
            CachedVolume v = fresh.openVolume("vol", BS);
            assertThat(read(v, 1)).as("the newer gateway's data stays the volume's").isEqualTo(random(2));
            assertThat(read(v, 2)).isEqualTo(new byte[SLOT]);
        }
    }

    @Test
    void aCrashBetweenCommitAndHeadIsNotMistakenForAnotherWriter() throws Exception {
        InMemoryObjectStore memory = new InMemoryObjectStore();
        TestBucket bucket = TestBucket.over(memory);
        CacheSettings sa = TestBucket.settings(dir.resolve("a"), 16).withSettleDelay(Duration.ofHours(1));
        byte[] head;
        try (CachePool a = bucket.open(sa)) {
            CachedVolume v = a.createVolume("vol", 4L * SLOT, BS);
            write(v, 0, random(1));
            assertThat(a.drain(WAIT)).isTrue();
            head = memory.get(VolumeHead.objectKey("vol"));
            write(v, 1, random(2));
            assertThat(a.drain(WAIT)).isTrue();
        }
        // As if the last head write never happened, and the saved ETag were lost too.
        memory.put(VolumeHead.objectKey("vol"), head, dev.stowage.core.store.PutOptions.DEFAULT);
        Files.delete(dir.resolve("a").resolve("volume-heads"));
        try (CachePool a = bucket.open(sa)) {
            CachedVolume v = a.openVolume("vol", BS);
            write(v, 2, random(3));
            assertThat(a.drain(WAIT)).isTrue();
            assertThat(a.volumeHealth("vol").status()).isEqualTo(VolumeHealth.Status.OK);
        }
        try (CachePool fresh = bucket.open(TestBucket.settings(dir.resolve("fresh"), 16))) {
            CachedVolume v = fresh.openVolume("vol", BS);
            assertThat(read(v, 1)).isEqualTo(random(2));
            assertThat(read(v, 2)).isEqualTo(random(3));
        }
    }

    /** Lets the pool's uploader run until the volume is in conflict (bounded by the test's timeout). */
    static void awaitConflict(CachePool pool) throws InterruptedException {
        while (pool.volumeHealth("vol").status() != VolumeHealth.Status.CONFLICT) {
            pool.drain(Duration.ofMillis(100));
        }
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

}
