package dev.stowage.core.store.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * A {@link Sleeper} for tests whose time moves only when someone waits on it or calls
 * {@link #advance}: a wait of {@code n} nanoseconds returns at once, after moving the time on by
 * {@code n} and recording it. {@link #clock()} is a wall clock that moves with it, so a
 * {@link BandwidthSchedule} read through it sees the waits pass.
 *
 * <p>Thread-safe. Never blocks (a wait does not check interruption beyond the thread's flag).
 */
public final class ManualTime implements Sleeper {

    private final Instant start;
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong slept = new AtomicLong();
    private final List<Long> waits = new ArrayList<>();

    /** Time starting at {@code start} (wall clock) and at nanosecond 0. */
    public ManualTime(Instant start) {
        this.start = start;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public void await(Condition wakeUp, long n) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (n <= 0) {
            return;
        }
        synchronized (waits) {
            waits.add(n);
        }
        slept.addAndGet(n);
        nanos.addAndGet(n);
    }

    /** Moves the time on without anyone waiting (time passing while the limiter is idle). */
    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** Sum of every wait asked for, in nanoseconds. */
    public long sleptNanos() {
        return slept.get();
    }

    /** Every wait asked for, in order. */
    public List<Long> waits() {
        synchronized (waits) {
            return List.copyOf(waits);
        }
    }

    /** The wall-clock time now: the start plus every wait and advance so far. */
    public Instant now() {
        return start.plusNanos(nanos.get());
    }

    /** A UTC {@link Clock} that reads {@link #now()}. */
    public Clock clock() {
        return new Clock() {
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
                return now();
            }
        };
    }
}
