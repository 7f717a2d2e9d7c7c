package dev.stowage.core.store.throttle;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket for bytes: {@link #acquire(long)} blocks until the bytes may go at the current
 * limit. The bucket fills at the limit and holds at most one {@code burst} period of it (at least
 * {@link #MIN_BURST_BYTES}), so after a quiet spell at most that much goes at line speed.
 *
 * <p><b>Limit changes.</b> The limit is read from a {@link LimitSource} each time the limiter
 * decides; a waiting caller never sleeps past the moment the source says its limit ends, and
 * {@link #limitChanged()} wakes waiters at once for changes made from outside. So a schedule's new
 * limit takes effect at its boundary, without a restart.
 *
 * <p><b>Fairness.</b> Callers are served in arrival order, one piece at a time: a caller takes at
 * most one bucket's worth, then goes to the back of the queue if it needs more. Many threads
 * sharing a limit thus interleave instead of one large request starving the others. Waiting is a
 * timed wait on a condition (no spinning); only the caller at the head of the queue waits on time,
 * the others wait to be signalled.
 *
 * <p><b>Threading and errors:</b> thread-safe. {@link #acquire} throws {@link InterruptedException}
 * when the thread is interrupted (bytes already granted to it stay spent); negative amounts get
 * {@link IllegalArgumentException}.
 */
public final class RateLimiter {

    /** The smallest bucket: slow limits still let this much go at once. */
    public static final long MIN_BURST_BYTES = 64 * 1024;

    private static final long NANOS = 1_000_000_000L;

    /** A limit in bytes per second ({@link BandwidthSchedule#UNLIMITED}: none), and how long it holds at most. */
    public record Limit(long bytesPerSecond, long validForNanos) {
        public Limit {
            if (bytesPerSecond < 1) {
                throw new IllegalArgumentException("limit must be at least 1 byte/s, got " + bytesPerSecond);
            }
            if (validForNanos < 1) {
                validForNanos = 1;
            }
        }

        /** A limit that holds until further notice. */
        public static Limit of(long bytesPerSecond) {
            return new Limit(bytesPerSecond, Long.MAX_VALUE);
        }
    }

    /** Where the limiter reads its limit; called with the limiter's lock held, so it must be quick and not block. */
    @FunctionalInterface
    public interface LimitSource {
        Limit current();
    }

    private final LimitSource source;
    private final Sleeper time;
    private final long burstNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final AtomicLong granted = new AtomicLong();
    /**
     * The theoretical time at which the bucket is empty: the bucket holds (now - emptyAt) worth of
     * bytes at the current limit, capped at one burst. Guarded by {@link #lock}.
     */
    private long emptyAt = Long.MIN_VALUE / 4; // long ago: a new limiter starts with a full bucket

    /**
     * @param source where the limit is read
     * @param time   the clock and sleeper ({@link Sleeper#SYSTEM} outside tests)
     * @param burst  how much the bucket holds, as time at the limit (e.g. 1s)
     */
    public RateLimiter(LimitSource source, Sleeper time, Duration burst) {
        this.source = Objects.requireNonNull(source, "source");
        this.time = Objects.requireNonNull(time, "time");
        if (burst.isNegative() || burst.isZero()) {
            throw new IllegalArgumentException("burst must be longer than 0, got " + burst);
        }
        this.burstNanos = burst.toNanos();
    }

    /** A limiter at a fixed rate with a one-second bucket. */
    public static RateLimiter fixed(long bytesPerSecond, Sleeper time) {
        Limit limit = Limit.of(bytesPerSecond);
        return new RateLimiter(() -> limit, time, Duration.ofSeconds(1));
    }

    /**
     * Blocks until {@code bytes} may be sent or received at the current limit. Returns at once when
     * there is no limit or the bucket holds enough.
     */
    public void acquire(long bytes) throws InterruptedException {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        if (bytes == 0) {
            return;
        }
        Object me = new Object();
        lock.lockInterruptibly();
        try {
            queue.addLast(me);
            long need = bytes;
            try {
                while (need > 0) {
                    while (queue.peekFirst() != me) {
                        changed.await();
                    }
                    long got = takePiece(need);
                    need -= got;
                    granted.addAndGet(got);
                    if (need > 0 && queue.size() > 1) {
                        // Let the others have their piece before the next one of ours.
                        queue.removeFirst();
                        queue.addLast(me);
                        changed.signalAll();
                    }
                }
            } finally {
                boolean head = queue.peekFirst() == me;
                queue.remove(me);
                if (head) {
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter so it reads the limit again (call after a change the source cannot announce). */
    public void limitChanged() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes granted so far (for metrics and tests). */
    public long grantedBytes() {
        return granted.get();
    }

    /** Callers waiting or being served right now. */
    public int queueLength() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** The limit in force now, in bytes per second. */
    public long currentLimit() {
        return source.current().bytesPerSecond();
    }

    /**
     * At the head of the queue: waits until one piece of at most one bucket is available and
     * takes it. Returns the bytes taken (all of {@code need} when there is no limit).
     */
    private long takePiece(long need) throws InterruptedException {
        while (true) {
            Limit limit = source.current();
            long now = time.nanoTime();
            if (limit.bytesPerSecond() == BandwidthSchedule.UNLIMITED) {
                return need;
            }
            long rate = limit.bytesPerSecond();
            long capacity = Math.max(MIN_BURST_BYTES, bytesFor(burstNanos, rate));
            long piece = Math.min(need, capacity);
            long fullAt = nanosFor(capacity, rate);
            long start = Math.max(emptyAt, now - fullAt);
            long ready = start + nanosFor(piece, rate);
            if (ready - now <= 0) {
                emptyAt = ready;
                return piece;
            }
            time.await(changed, Math.min(ready - now, limit.validForNanos()));
        }
    }

    /** Nanoseconds that {@code bytes} take at {@code rate}, rounded up. */
    private static long nanosFor(long bytes, long rate) {
        if (bytes <= Long.MAX_VALUE / NANOS) {
            return Math.ceilDiv(bytes * NANOS, rate);
        }
        return (long) Math.ceil(bytes * (double) NANOS / rate);
    }

    /** Bytes that go in {@code nanos} at {@code rate}, rounded down. */
    private static long bytesFor(long nanos, long rate) {
        if (rate <= Long.MAX_VALUE / nanos) {
            return nanos * rate / NANOS;
        }
        return (long) (nanos / (double) NANOS * rate);
    }
}
