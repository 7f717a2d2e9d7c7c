package dev.stowage.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes snapshots of volumes on their {@link SnapshotSchedule}, through a {@link SnapshotTaker}
 * (the cache's {@link Snapshots}, or the stored volumes' manager). {@link #runDue} takes every
 * snapshot that is due at the clock's time (tests call it directly with a manual clock);
 * {@link #start} calls it from a background thread at a fixed interval. After a pause (gateway
 * stopped, clock jumped) one snapshot is taken for the missed times, not one per missed time.
 *
 * <p><b>Errors:</b> a snapshot that fails (bucket outage, volume gone) is logged and kept as
 * {@link #lastError}; it is tried again after the retry delay, or at the next scheduled time if
 * that comes first. Nothing here throws for a failed snapshot.
 *
 * <p><b>Threading:</b> thread-safe; snapshots are taken one at a time.
 */
public final class SnapshotScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnapshotScheduler.class);

    private static final class Job {
        final SnapshotSchedule schedule;
        final String description;
        volatile Instant nextDue;
        volatile Snapshot last;
        volatile String lastError;

        Job(SnapshotSchedule schedule, String description, Instant nextDue) {
            this.schedule = schedule;
            this.description = description;
            this.nextDue = nextDue;
        }
    }

    private final SnapshotTaker snapshots;
    private final Clock clock;
    private final Duration snapshotTimeout;
    private final Duration retryDelay;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Object timerLock = new Object();
    private ScheduledExecutorService timer; // guarded by timerLock

    /**
     * @param snapshotTimeout how long one snapshot may wait for its uploads
     * @param retryDelay      wait after a failed snapshot before trying again
     */
    public SnapshotScheduler(SnapshotTaker snapshots, Clock clock, Duration snapshotTimeout, Duration retryDelay) {
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snapshotTimeout = Objects.requireNonNull(snapshotTimeout, "snapshotTimeout");
        this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
    }

    /** Schedules (or reschedules) snapshots of {@code volumeId}; the first is at the next scheduled time. */
    public void schedule(String volumeId, SnapshotSchedule schedule, String description) {
        VolumeHead.checkVolumeId(volumeId);
        Objects.requireNonNull(schedule, "schedule");
        Snapshot.checkDescription(description);
        jobs.put(volumeId, new Job(schedule, description, schedule.next(clock.instant())));
    }

    /** Stops scheduled snapshots of {@code volumeId} (existing snapshots stay). */
    public void unschedule(String volumeId) {
        jobs.remove(volumeId);
    }

    /** When the next snapshot of {@code volumeId} is due; empty when it has no schedule. */
    public Optional<Instant> nextDue(String volumeId) {
        Job j = jobs.get(volumeId);
        return j == null ? Optional.empty() : Optional.of(j.nextDue);
    }

    /** The last scheduled snapshot taken of {@code volumeId} by this scheduler, if any. */
    public Optional<Snapshot> lastSnapshot(String volumeId) {
        Job j = jobs.get(volumeId);
        return j == null ? Optional.empty() : Optional.ofNullable(j.last);
    }

    /** Why the last scheduled snapshot of {@code volumeId} failed; empty after a success. */
    public Optional<String> lastError(String volumeId) {
        Job j = jobs.get(volumeId);
        return j == null ? Optional.empty() : Optional.ofNullable(j.lastError);
    }

    /** Takes the snapshots due now and returns them. */
    public synchronized List<Snapshot> runDue() throws InterruptedException {
        List<Snapshot> taken = new ArrayList<>();
        for (Map.Entry<String, Job> me : jobs.entrySet()) {
            Job j = me.getValue();
            Instant now = clock.instant();
            if (now.isBefore(j.nextDue)) {
                continue;
            }
            try {
                Snapshot s = snapshots.snapshot(me.getKey(), j.description, snapshotTimeout);
                j.last = s;
                j.lastError = null;
                j.nextDue = j.schedule.next(clock.instant());
                taken.add(s);
                log.info("scheduled snapshot {} of volume {} taken", s.id(), me.getKey());
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                j.lastError = e.getMessage();
                Instant retry = clock.instant().plus(retryDelay);
                Instant next = j.schedule.next(clock.instant());
                j.nextDue = retry.isBefore(next) ? retry : next;
                log.warn("scheduled snapshot of volume {} failed, trying again at {}: {}", me.getKey(), j.nextDue,
                        e.getMessage());
            }
        }
        return taken;
    }

    /** Calls {@link #runDue} every {@code interval} from a background thread until {@link #close}. */
    public void start(Duration interval) {
        synchronized (timerLock) {
            startLocked(interval);
        }
    }

    private void startLocked(Duration interval) {
        if (timer != null) {
            throw new IllegalStateException("the snapshot scheduler is already running");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapshot-scheduler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                runDue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("snapshot scheduler round failed", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the background thread (a snapshot in progress is interrupted). */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (timerLock) {
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.shutdownNow();
        }
    }
}
