package dev.stowage.cache.stored;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.SnapshotSchedule;
import dev.stowage.cache.SnapshotScheduler;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's {@link SnapshotScheduler} takes scheduled snapshots of stored volumes through {@link StoredVolumes}. */
class StoredScheduleTest {

    @TempDir
    Path dir;

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-22T00:30:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void scheduledSnapshotsOfAStoredVolumeAndARetryAfterAnOutage() throws Exception {
        FaultInjectingObjectStore store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        TestClock clock = new TestClock();
        try (StoredVolumes m = new StoredVolumes(dir.resolve("state"), StoredFixture.bucket(store),
                StoredFixture.settings().withClock(clock))) {
            StoredVolume v = m.open("sched", dir.resolve("s.img"), 16L * StoredFixture.CHUNK, 512, false);
            SnapshotScheduler scheduler = new SnapshotScheduler(m, clock, Duration.ofMillis(300), Duration.ofMinutes(5));
            scheduler.schedule("sched", new SnapshotSchedule(1, 1, ZoneOffset.UTC), "hourly");
            assertThat(scheduler.runDue()).isEmpty();

            v.write(0, ByteBuffer.allocate(512).put(0, (byte) 9), false);
            clock.now = Instant.parse("2026-11-22T01:00:00Z");
            List<Snapshot> taken = scheduler.runDue();
            assertThat(taken).hasSize(1);
            assertThat(v.changedChunks()).isZero();

            v.write(8, ByteBuffer.allocate(512).put(0, (byte) 7), false);
            store.outage(true);
            clock.now = Instant.parse("2026-11-22T02:00:00Z");
            assertThat(scheduler.runDue()).isEmpty();
            assertThat(scheduler.lastError("sched")).get().asString().contains("next snapshot");
            assertThat(v.changedChunks()).isEqualTo(1);
            store.outage(false);
            clock.now = Instant.parse("2026-11-22T02:05:00Z"); // the retry delay
            assertThat(scheduler.runDue()).hasSize(1);
            assertThat(m.listSnapshots("sched")).extracting(Snapshot::description).containsExactly("hourly", "hourly");
            assertThat(v.changedChunks()).isZero();
        }
    }
}
