package dev.stowage.cache;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link CachePool} is laid out and behaves.
 *
 * @param directory         the cache directory (journal, data file, lock file); created if missing
 * @param slotSize          bytes per slot = the chunk size of every volume in the pool; a power of two ≥ 64 KiB
 * @param slotCount         number of slots; the data file is {@code slotSize × slotCount} bytes (sparse)
 * @param settleDelay       how long a chunk stays dirty without writes before it is uploaded
 * @param uploadThreads     uploads running at once
 * @param maxWriteWait      how long a writer waits for a free slot when the cache is full of dirty data
 *                          before the write fails with NOT_READY (the client retries)
 * @param journalLimit      bytes the journal may grow by after its last checkpoint before it is compacted
 * @param retryInitial      first back-off after a failed upload or commit
 * @param retryMax          longest back-off
 * @param clock             time source for settle delays, back-off and metrics
 */
public record CacheSettings(Path directory, int slotSize, int slotCount, Duration settleDelay, int uploadThreads,
                            Duration maxWriteWait, long journalLimit, Duration retryInitial, Duration retryMax,
                            Clock clock) {

    /** Smallest slot (chunk) size. */
    public static final int MIN_SLOT_SIZE = 64 * 1024;
    /** Largest slot (chunk) size. */
    public static final int MAX_SLOT_SIZE = 64 * 1024 * 1024;

    public CacheSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(settleDelay, "settleDelay");
        Objects.requireNonNull(maxWriteWait, "maxWriteWait");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(clock, "clock");
        if (slotSize < MIN_SLOT_SIZE || slotSize > MAX_SLOT_SIZE || Integer.bitCount(slotSize) != 1) {
            throw new IllegalArgumentException("cache slot size must be a power of two between " + MIN_SLOT_SIZE
                    + " and " + MAX_SLOT_SIZE + " bytes, got " + slotSize);
        }
        if (slotCount < 2) {
            throw new IllegalArgumentException("a cache needs at least 2 slots, got " + slotCount);
        }
        if (uploadThreads < 1 || uploadThreads > 256) {
            throw new IllegalArgumentException("upload threads must be 1..256, got " + uploadThreads);
        }
        if (settleDelay.isNegative() || maxWriteWait.isNegative() || retryInitial.isNegative()
                || retryMax.compareTo(retryInitial) < 0) {
            throw new IllegalArgumentException("cache durations must not be negative, and retryMax >= retryInitial");
        }
        if (journalLimit < 64 * 1024) {
            throw new IllegalArgumentException("journal limit must be at least 64 KiB, got " + journalLimit);
        }
    }

    /** 1 MiB slots, 5 s settle delay, 4 upload threads, 10 min write wait, 64 MiB journal, system clock. */
    public static CacheSettings defaults(Path directory, int slotCount) {
        return new CacheSettings(directory, 1 << 20, slotCount, Duration.ofSeconds(5), 4, Duration.ofMinutes(10),
                64L << 20, Duration.ofMillis(200), Duration.ofSeconds(30), Clock.systemUTC());
    }

    public CacheSettings withSlotSize(int s) {
        return new CacheSettings(directory, s, slotCount, settleDelay, uploadThreads, maxWriteWait, journalLimit,
                retryInitial, retryMax, clock);
    }

    public CacheSettings withSettleDelay(Duration d) {
        return new CacheSettings(directory, slotSize, slotCount, d, uploadThreads, maxWriteWait, journalLimit,
                retryInitial, retryMax, clock);
    }

    public CacheSettings withUploadThreads(int n) {
        return new CacheSettings(directory, slotSize, slotCount, settleDelay, n, maxWriteWait, journalLimit,
                retryInitial, retryMax, clock);
    }

    public CacheSettings withMaxWriteWait(Duration d) {
        return new CacheSettings(directory, slotSize, slotCount, settleDelay, uploadThreads, d, journalLimit,
                retryInitial, retryMax, clock);
    }

    public CacheSettings withJournalLimit(long bytes) {
        return new CacheSettings(directory, slotSize, slotCount, settleDelay, uploadThreads, maxWriteWait, bytes,
                retryInitial, retryMax, clock);
    }

    public CacheSettings withRetry(Duration initial, Duration max) {
        return new CacheSettings(directory, slotSize, slotCount, settleDelay, uploadThreads, maxWriteWait,
                journalLimit, initial, max, clock);
    }

    public CacheSettings withClock(Clock c) {
        return new CacheSettings(directory, slotSize, slotCount, settleDelay, uploadThreads, maxWriteWait,
                journalLimit, retryInitial, retryMax, c);
    }
}
