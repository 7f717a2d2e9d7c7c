package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SnapshotSchedulerTest {
    private static final int BS = 512;
    private static final int SLOT = TestBucket.SLOT;

    @TempDir
    Path dir;

    @Test
    void scheduledTimesAreEveryNHoursFromTheStartHourEveryDay() {
        SnapshotSchedule s = new SnapshotSchedule(1, 8, ZoneOffset.UTC);
        assertThat(s.next(Instant.parse("2025-03-10T22:13:00Z"))).isEqualTo(Instant.parse("2025-03-11T01:00:00Z"));
        assertThat(s.next(Instant.parse("2025-03-11T01:00:00Z"))).isEqualTo(Instant.parse("2025-03-11T09:00:00Z"));
        assertThat(s.next(Instant.parse("2025-03-11T16:59:59Z"))).isEqualTo(Instant.parse("2025-03-11T17:00:00Z"));
        SnapshotSchedule daily = new SnapshotSchedule(23, 24, ZoneOffset.UTC);
        assertThat(daily.next(Instant.parse("2025-03-11T23:00:00Z"))).isEqualTo(Instant.parse("2025-03-12T23:00:00Z"));
        // Berlin skips 02:00-03:00 on 2024-03-31: the 02:00 snapshot happens at 03:00 local (01:00 UTC).
        SnapshotSchedule berlin = new SnapshotSchedule(2, 24, ZoneId.of("Europe/Berlin"));
        assertThat(berlin.next(Instant.parse("2024-03-30T12:00:00Z"))).isEqualTo(Instant.parse("2024-03-31T01:00:00Z"));
        assertThatThrownBy(() -> new SnapshotSchedule(0, 5, ZoneOffset.UTC)).hasMessageContaining("every 1, 2, 3");
        assertThatThrownBy(() -> new SnapshotSchedule(24, 1, ZoneOffset.UTC)).hasMessageContaining("0-23");
    }

    @Test
    void snapshotsAreTakenWhenDueAndRetriedAfterAnOutage() throws Exception {
        InMemoryObjectStore memory = new InMemoryObjectStore();
        FaultInjectingObjectStore faulty = new FaultInjectingObjectStore(memory);
        TestBucket bucket = TestBucket.over(faulty);
        ManualClock clock = new ManualClock(); // 2023-11-14T22:13:20Z
        try (CachePool pool = bucket.open(TestBucket.settings(dir.resolve("c"), 16)
                .withSettleDelay(Duration.ofHours(1)));
             SnapshotScheduler scheduler = new SnapshotScheduler(pool.snapshots(), clock, Duration.ofMillis(300),
                     Duration.ofMinutes(10))) {
            CachedVolume v = pool.createVolume("vol", 4L * SLOT, BS);
            byte[] first = new byte[SLOT];
            new Random(1).nextBytes(first);
            v.write(0, ByteBuffer.wrap(first), false);
            scheduler.schedule("vol", new SnapshotSchedule(1, 8, ZoneOffset.UTC), "every 8 hours");
            assertThat(scheduler.nextDue("vol")).contains(Instant.parse("2023-11-15T01:00:00Z"));
            assertThat(scheduler.runDue()).isEmpty();

            clock.advance(Duration.ofMinutes(47)); // 23:00:20, not due yet
            assertThat(scheduler.runDue()).isEmpty();
            clock.advance(Duration.ofHours(2)); // 01:00:20: due
            var taken = scheduler.runDue();
            assertThat(taken).hasSize(1);
            assertThat(taken.getFirst().description()).isEqualTo("every 8 hours");
            assertThat(scheduler.runDue()).isEmpty();
            assertThat(scheduler.nextDue("vol")).contains(Instant.parse("2023-11-15T09:00:00Z"));
            pool.snapshots().createVolumeFromSnapshot("from-first", taken.getFirst().id());
            ByteBuffer back = ByteBuffer.allocate(SLOT);
            pool.openVolume("from-first", BS).read(0, back);
            assertThat(back.array()).isEqualTo(first);

            v.write(SLOT / BS, ByteBuffer.wrap(first), false);
            faulty.outage(true);
            clock.advance(Duration.ofHours(8)); // 09:00:20: due, but the bucket is unreachable
            assertThat(scheduler.runDue()).isEmpty();
            assertThat(scheduler.lastError("vol")).get().asString().contains("not uploaded yet");
            assertThat(scheduler.nextDue("vol")).contains(Instant.parse("2023-11-15T09:10:20Z"));
            faulty.outage(false);
            clock.advance(Duration.ofMinutes(10));
            assertThat(scheduler.runDue()).hasSize(1);
            assertThat(scheduler.lastError("vol")).isEmpty();
            assertThat(scheduler.nextDue("vol")).contains(Instant.parse("2023-11-15T17:00:00Z"));

            clock.advance(Duration.ofDays(3)); // a long pause: one snapshot, not nine
            assertThat(scheduler.runDue()).hasSize(1);
            assertThat(pool.snapshots().listSnapshots("vol")).hasSize(3);
            scheduler.unschedule("vol");
            clock.advance(Duration.ofDays(1));
            assertThat(scheduler.runDue()).isEmpty();
        }
    }
}
