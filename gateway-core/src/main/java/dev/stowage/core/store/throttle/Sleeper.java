package dev.stowage.core.store.throttle;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * The time a {@link RateLimiter} reads and waits on: a monotonic nanosecond counter and a timed
 * wait on a condition. {@link #SYSTEM} is the real one; {@link ManualTime} is a test double that
 * records the waits asked for and moves its time by them, so tests assert on how long the limiter
 * asked to wait, never on wall time.
 *
 * <p>Implementations are thread-safe.
 */
public interface Sleeper {

    /** The real time: {@link System#nanoTime()} and {@link Condition#awaitNanos}. */
    Sleeper SYSTEM = new Sleeper() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void await(Condition wakeUp, long nanos) throws InterruptedException {
            wakeUp.await(nanos, TimeUnit.NANOSECONDS);
        }
    };

    /** A monotonic time in nanoseconds (only differences mean anything). */
    long nanoTime();

    /**
     * Waits up to {@code nanos} for {@code wakeUp} to be signalled. The caller holds the
     * condition's lock; it is released while waiting and held again on return. May return early.
     *
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    void await(Condition wakeUp, long nanos) throws InterruptedException;
}
