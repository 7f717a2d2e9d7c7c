package dev.stowage.server.volumes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.Snapshot;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.server.config.SnapshotScheduleConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled snapshots across restarts, driven by a manual clock ({@code runDue} called by hand):
 * no snapshot twice, none skipped silently, retention deletes only old scheduled snapshots.
 */
class SnapshotScheduleRunnerTest {

    @TempDir
    Path data;

    private final InMemoryObjectStore bucket = new InMemoryObjectStore();
    private final ManualClock clock = new ManualClock("2026-03-01T00:30:00Z");
    private InMemoryVolumeEngine engine;
    private VolumeService service;

    /** Every day at 02:00 UTC. */
    private static final SnapshotScheduleConfig DAILY = new SnapshotScheduleConfig(24, 2, ZoneOffset.UTC, 0, "nightly");

    /** Starts (or restarts) the gateway's volume service on the same data directory and bucket. */
    private SnapshotScheduleRunner start(SnapshotScheduleConfig schedule) throws Exception {
        if (service != null) {
            service.stop();
        }
        engine = new InMemoryVolumeEngine(bucket, clock).export("vol1", 1L << 30);
        service = new VolumeService(data, bucket, List.of(engine), Map.of("vol1", schedule), clock, false);
        service.start();
        return service.schedules();
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop();
        }
    }

    private List<Snapshot> snapshots() {
        return service.volumes().snapshots("vol1");
    }

    @Test
    void takenAtTheScheduledTimeAndNotAgainAfterARestart() throws Exception {
        SnapshotScheduleRunner r = start(DAILY);
        assertThat(r.status("vol1").orElseThrow().nextDue()).isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
        assertThat(r.runDue()).isEmpty();
        clock.set("2026-03-01T02:00:00Z");
        List<Snapshot> taken = r.runDue();
        assertThat(taken).hasSize(1);
        assertThat(taken.getFirst().description()).isEqualTo("nightly");
        assertThat(r.runDue()).isEmpty();

        clock.set("2026-03-01T02:05:00Z");
        r = start(DAILY);
        assertThat(r.runDue()).isEmpty();
        assertThat(r.status("vol1").orElseThrow().nextDue()).isEqualTo(Instant.parse("2026-03-02T02:00:00Z"));
        assertThat(r.status("vol1").orElseThrow().lastRun()).isEqualTo(Instant.parse("2026-03-01T02:00:00Z"));
        assertThat(engine.snapshotsTaken()).isZero();
        assertThat(snapshots()).hasSize(1);
        // The state is on local disk and in the bucket.
        assertThat(Files.readString(data.resolve("catalog/schedules/vol1.json")))
                .contains("\"last_run\":\"2026-03-01T02:00:00Z\"", taken.getFirst().id());
        assertThat(ScheduleState.decode(bucket.get("catalog/schedules/vol1"), "b").scheduled())
                .containsExactly(taken.getFirst().id());
    }

    @Test
    void aTimeMissedWhileStoppedIsTakenOnceAtStart() throws Exception {
        SnapshotScheduleRunner r = start(DAILY);
        clock.set("2026-03-01T02:00:00Z");
        assertThat(r.runDue()).hasSize(1);
        service.stop();
        service = null;
        clock.set("2026-03-04T03:00:00Z"); // three due times passed while stopped
        r = start(DAILY);
        assertThat(r.runDue()).hasSize(1);
        assertThat(r.runDue()).isEmpty();
        assertThat(r.status("vol1").orElseThrow().nextDue()).isEqualTo(Instant.parse("2026-03-05T02:00:00Z"));
        assertThat(snapshots()).hasSize(2);
    }

    @Test
    void aGatewayStoppedBeforeTheFirstDueTimeCatchesItUp() throws Exception {
        start(DAILY);
        clock.set("2026-03-01T05:00:00Z");
        SnapshotScheduleRunner r = start(DAILY);
        assertThat(r.runDue()).hasSize(1);
        assertThat(r.status("vol1").orElseThrow().nextDue()).isEqualTo(Instant.parse("2026-03-02T02:00:00Z"));
    }

    @Test
    void retentionDeletesOnlyTheOldestScheduledSnapshots() throws Exception {
        SnapshotScheduleConfig hourly = new SnapshotScheduleConfig(1, 0, ZoneOffset.UTC, 2, "hourly");
        SnapshotScheduleRunner r = start(hourly);
        Snapshot manual = service.volumes().snapshot("vol1", "before upgrade");
        String[] scheduled = new String[4];
        for (int i = 0; i < 4; i++) {
            clock.set("2026-03-01T0" + (1 + i) + ":00:00Z");
            scheduled[i] = r.runDue().getFirst().id();
        }
        assertThat(snapshots()).extracting(Snapshot::id).containsExactly(manual.id(), scheduled[2], scheduled[3]);
        assertThat(r.isScheduled("vol1", scheduled[3])).isTrue();
        assertThat(r.isScheduled("vol1", manual.id())).isFalse();

        // One deleted by hand is forgotten, not counted: the next run keeps two that exist.
        service.volumes().deleteSnapshot(scheduled[3]);
        clock.set("2026-03-01T05:00:00Z");
        String fifth = r.runDue().getFirst().id();
        assertThat(snapshots()).extracting(Snapshot::id).containsExactly(manual.id(), scheduled[2], fifth);

        // Retention continues after a restart (the list of scheduled snapshots is saved).
        clock.set("2026-03-01T06:00:00Z");
        r = start(hourly);
        String sixth = r.runDue().getFirst().id();
        assertThat(snapshots()).extracting(Snapshot::id).containsExactly(manual.id(), fifth, sixth);
    }

    @Test
    void aFailedSnapshotIsRetriedAndARestartDoesNotSkipIt() throws Exception {
        SnapshotScheduleRunner r = start(DAILY);
        engine.failSnapshots("bucket unreachable");
        clock.set("2026-03-01T02:00:00Z");
        assertThat(r.runDue()).isEmpty();
        SnapshotScheduleRunner.Status st = r.status("vol1").orElseThrow();
        assertThat(st.lastError()).isEqualTo("bucket unreachable");
        assertThat(st.nextDue()).isEqualTo(Instant.parse("2026-03-01T02:05:00Z"));
        clock.set("2026-03-01T02:03:00Z");
        assertThat(r.runDue()).isEmpty(); // not before the retry delay

        clock.set("2026-03-01T02:07:00Z");
        r = start(DAILY); // restarted; the new engine works
        assertThat(r.runDue()).hasSize(1);
        assertThat(r.status("vol1").orElseThrow().lastError()).isNull();
    }

    @Test
    void aSnapshotUnderWayAtAStopIsFoundAgainNotTakenTwice() throws Exception {
        start(DAILY);
        // What a stop in the middle of the 02:00 snapshot leaves: the pending mark, and the record in the bucket.
        ScheduleStates states = new ScheduleStates(data.resolve("catalog/schedules"), bucket);
        ScheduleState before = states.load("vol1");
        states.save(before.pending(Instant.parse("2026-03-01T02:00:00Z")));
        clock.set("2026-03-01T02:00:02Z");
        Snapshot recorded = engine.snapshot("vol1", "nightly", java.time.Duration.ofSeconds(1));

        clock.set("2026-03-01T02:10:00Z");
        SnapshotScheduleRunner r = start(DAILY);
        assertThat(r.runDue()).isEmpty();
        assertThat(r.isScheduled("vol1", recorded.id())).isTrue();
        assertThat(r.status("vol1").orElseThrow().nextDue()).isEqualTo(Instant.parse("2026-03-02T02:00:00Z"));
        assertThat(snapshots()).extracting(Snapshot::id).containsExactly(recorded.id());
    }
}
