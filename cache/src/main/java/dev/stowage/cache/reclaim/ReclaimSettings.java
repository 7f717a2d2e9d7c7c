package dev.stowage.cache.reclaim;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of space reclaim.
 *
 * @param gracePeriod    chunks whose last-modified time is younger than this (at the start of a run)
 *                       are never deleted: the defence against writers this process cannot fence
 *                       (another gateway on the same bucket, a clock that is off). At least zero.
 * @param sweepThreads   how many of the 256 {@code chunks/xx/} prefixes are swept at once (1..64)
 * @param deleteBatch    chunks per batch delete request (1..1000, S3's limit)
 * @param prefixAttempts how often a prefix whose listing or delete fails is swept again in one run (1..10)
 * @param clock          time source for the grace period and the report
 */
public record ReclaimSettings(Duration gracePeriod, int sweepThreads, int deleteBatch, int prefixAttempts,
                              Clock clock) {

    /** One hour of grace, 4 sweep threads, batches of 1000, 3 attempts per prefix, the system clock. */
    public static final ReclaimSettings DEFAULT = new ReclaimSettings(Duration.ofHours(1), 4, 1000, 3,
            Clock.systemUTC());

    public ReclaimSettings {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(clock, "clock");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("reclaim grace period cannot be negative, got " + gracePeriod);
        }
        if (sweepThreads < 1 || sweepThreads > 64) {
            throw new IllegalArgumentException("reclaim sweep threads must be 1..64, got " + sweepThreads);
        }
        if (deleteBatch < 1 || deleteBatch > 1000) {
            throw new IllegalArgumentException("reclaim delete batch must be 1..1000, got " + deleteBatch);
        }
        if (prefixAttempts < 1 || prefixAttempts > 10) {
            throw new IllegalArgumentException("reclaim attempts per prefix must be 1..10, got " + prefixAttempts);
        }
    }

    public ReclaimSettings withGracePeriod(Duration d) {
        return new ReclaimSettings(d, sweepThreads, deleteBatch, prefixAttempts, clock);
    }

    public ReclaimSettings withSweepThreads(int n) {
        return new ReclaimSettings(gracePeriod, n, deleteBatch, prefixAttempts, clock);
    }

    public ReclaimSettings withDeleteBatch(int n) {
        return new ReclaimSettings(gracePeriod, sweepThreads, n, prefixAttempts, clock);
    }

    public ReclaimSettings withPrefixAttempts(int n) {
        return new ReclaimSettings(gracePeriod, sweepThreads, deleteBatch, n, clock);
    }

    public ReclaimSettings withClock(Clock c) {
        return new ReclaimSettings(gracePeriod, sweepThreads, deleteBatch, prefixAttempts, c);
    }
}
