package dev.stowage.server.volumes;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.SnapshotSchedule;
import dev.stowage.server.config.SnapshotScheduleConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the scheduled snapshots of the configured volumes, keeps the newest {@code retain} of them
 * (older scheduled snapshots are deleted; snapshots taken by hand are never touched), and
 * remembers what it did in {@link ScheduleStates}, so that a restart neither takes a snapshot
 * twice nor skips one silently.
 *
 * <p>When a snapshot is due is {@link SnapshotSchedule#next} (the cache library's schedule: at a
 * start hour and every 1-24 hours, daylight-saving aware) of the last scheduled snapshot's time, or
 * of the time the schedule was first seen. A due time that passed while the gateway was stopped
 * is caught up once at start (logged), not once per missed time. A snapshot under way when the
 * gateway stopped is found again at start (by its description and time) and counted as taken.
 *
 * <p>The cache module's in-memory {@code SnapshotScheduler} is not used here: this runner needs
 * persistence, retention and every volume engine, which belong to the daemon.
 *
 * <p><b>Errors:</b> a failed snapshot is logged, kept as the job's last error, and retried after
 * the retry delay (or at the next scheduled time if that is sooner); nothing here throws for it.
 * <b>Threading:</b> {@link #runDue} is synchronized (one snapshot at a time); {@link #start} runs it
 * from one background thread; the other methods are thread-safe.
 */
public final class SnapshotScheduleRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotScheduleRunner.class);

    /** What a volume's schedule is doing, for the admin API. */
    public record Status(SnapshotScheduleConfig config, Instant nextDue, Instant lastRun, String lastError,
                         List<String> scheduledSnapshots) {
    }

    private static final class Job {
        final String volumeId;
        final SnapshotScheduleConfig config;
        final SnapshotSchedule schedule;
        volatile ScheduleState state;
        volatile Instant nextDue;
        volatile String lastError;

        Job(String volumeId, SnapshotScheduleConfig config, ScheduleState state) {
            this.volumeId = volumeId;
            this.config = config;
            this.schedule = new SnapshotSchedule(config.startHour(), config.everyHours(), config.zone());
            this.state = state;
        }
    }

    private final VolumeManager volumes;
    private final ScheduleStates states;
    private final InstantSource clock;
    private final Duration snapshotTimeout;
    private final Duration retryDelay;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Object timerLock = new Object();
    private ScheduledExecutorService timer; // guarded by timerLock

    /**
     * @param snapshotTimeout how long one scheduled snapshot may wait for its uploads
     * @param retryDelay      wait after a failed snapshot before trying again
     */
    public SnapshotScheduleRunner(VolumeManager volumes, ScheduleStates states, InstantSource clock,
                                  Duration snapshotTimeout, Duration retryDelay) {
        this.volumes = volumes;
        this.states = states;
        this.clock = clock;
        this.snapshotTimeout = snapshotTimeout;
        this.retryDelay = retryDelay;
    }

    /**
     * Schedules {@code volumeId}, continuing from its saved state: the next snapshot is the first
     * scheduled time after the last one taken (already past when one was missed: taken at the next
     * {@link #runDue}), or after now for a schedule never run.
     */
    public void schedule(String volumeId, SnapshotScheduleConfig config) throws IOException {
        ScheduleState state = states.load(volumeId);
        Job j = new Job(volumeId, config, state);
        Instant now = clock.instant();
        if (state.countFrom() == null) {
            // Saved so that a gateway stopped before the first due time still catches it up after a restart.
            state = state.startedAt(now);
            states.save(state);
            j.state = state;
        }
        if (state.pendingSince() != null) {
            j.nextDue = now; // a snapshot was under way at the stop: settled at the next run
        } else {
            j.nextDue = j.schedule.next(state.countFrom());
            if (!j.nextDue.isAfter(now)) {
                log.atInfo().addKeyValue("volume", volumeId).addKeyValue("missed", j.nextDue)
                        .log("a scheduled snapshot was missed while the gateway was stopped; taking it now");
            }
        }
        jobs.put(volumeId, j);
    }

    /** The schedule of {@code volumeId}, or empty when it has none. */
    public Optional<Status> status(String volumeId) {
        Job j = jobs.get(volumeId);
        return j == null ? Optional.empty() : Optional.of(new Status(j.config, j.nextDue, j.state.lastRun(),
                j.lastError, j.state.scheduled()));
    }

    /** True when {@code snapshotId} was taken by a schedule (retention may delete it). */
    public boolean isScheduled(String volumeId, String snapshotId) {
        Job j = jobs.get(volumeId);
        return j != null && j.state.scheduled().contains(snapshotId);
    }

    /** Takes the snapshots due at the clock's time and applies retention; returns the snapshots taken. */
    public synchronized List<Snapshot> runDue() throws InterruptedException {
        List<Snapshot> taken = new ArrayList<>();
        for (Job j : jobs.values()) {
            try {
                if (j.state.pendingSince() != null) {
                    settlePending(j);
                }
                if (!clock.instant().isBefore(j.nextDue)) {
                    taken.add(take(j));
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failed(j, e);
                continue;
            }
            try {
                retain(j);
            } catch (Exception e) {
                log.atWarn().addKeyValue("volume", j.volumeId)
                        .log("old scheduled snapshots not deleted yet, will retry: {}", e.getMessage());
            }
        }
        states.mirrorPending();
        return taken;
    }

    private void failed(Job j, Exception e) {
        j.lastError = e.getMessage();
        Instant now = clock.instant();
        Instant retry = now.plus(retryDelay);
        Instant next = j.schedule.next(now);
        j.nextDue = retry.isBefore(next) ? retry : next;
        log.atWarn().addKeyValue("volume", j.volumeId)
                .log("scheduled snapshot failed, trying again at {}: {}", j.nextDue, e.getMessage());
    }

    private Snapshot take(Job j) throws IOException, InterruptedException {
        Instant started = clock.instant();
        j.state = j.state.pending(started);
        states.save(j.state);
        Snapshot s;
        try {
            s = volumes.snapshot(j.volumeId, j.config.description(), snapshotTimeout);
        } catch (InterruptedException e) {
            throw e; // stopping: the pending mark stays, and the next start looks for the snapshot
        } catch (Exception e) {
            j.state = j.state.pending(null); // nothing was recorded
            states.save(j.state);
            throw e;
        }
        j.state = j.state.taken(s.id(), started);
        states.save(j.state);
        j.lastError = null;
        j.nextDue = j.schedule.next(started);
        log.atInfo().addKeyValue("volume", j.volumeId).addKeyValue("snapshot", s.id())
                .log("scheduled snapshot taken; next at {}", j.nextDue);
        return s;
    }

    /** After a stop during a scheduled snapshot: adopt what it recorded (same description, not older), if anything. */
    private void settlePending(Job j) throws IOException {
        Instant since = j.state.pendingSince();
        List<String> found = new ArrayList<>();
        for (Snapshot s : volumes.snapshots(j.volumeId)) {
            if (!s.created().isBefore(since.minusSeconds(1)) && s.description().equals(j.config.description())) {
                found.add(s.id());
            }
        }
        j.state = j.state.adopted(found, since);
        states.save(j.state);
        j.nextDue = found.isEmpty() ? clock.instant() : j.schedule.next(j.state.lastRun());
        if (!found.isEmpty()) {
            log.atInfo().addKeyValue("volume", j.volumeId).addKeyValue("snapshots", found)
                    .log("a scheduled snapshot taken before the last stop was recorded; next at {}", j.nextDue);
        }
    }

    /** Deletes the oldest scheduled snapshots beyond {@code retain}; ids deleted by hand are forgotten first. */
    private void retain(Job j) throws IOException {
        int keep = j.config.retain();
        if (keep == 0 || j.state.scheduled().size() <= keep) {
            return;
        }
        Set<String> existing = new HashSet<>();
        volumes.snapshots(j.volumeId).forEach(s -> existing.add(s.id()));
        for (String id : j.state.scheduled()) {
            if (!existing.contains(id)) {
                j.state = j.state.without(id);
            }
        }
        states.save(j.state);
        while (j.state.scheduled().size() > keep) {
            String oldest = j.state.scheduled().getFirst();
            try {
                volumes.deleteSnapshot(oldest);
                log.atInfo().addKeyValue("volume", j.volumeId).addKeyValue("snapshot", oldest)
                        .log("scheduled snapshot deleted (retain {})", keep);
            } catch (VolumeException e) {
                if (e.reason() != VolumeException.Reason.NOT_FOUND) {
                    throw e;
                }
            }
            j.state = j.state.without(oldest);
            states.save(j.state);
        }
    }

    /** Calls {@link #runDue} every {@code interval} from a background thread until {@link #close}. */
    public void start(Duration interval) {
        synchronized (timerLock) {
            if (timer != null) {
                throw new IllegalStateException("the snapshot schedule runner is already running");
            }
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "snapshot-schedules");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> {
                try {
                    runDue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    log.error("snapshot schedule round failed", e);
                }
            }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the background thread; a snapshot under way is interrupted (and found again at the next start). */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (timerLock) {
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
