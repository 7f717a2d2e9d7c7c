package dev.stowage.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and gauges of a {@link CachePool}, named after the metrics storage administrators
 * know (CacheHitPercent, CachePercentDirty, CachePercentUsed, CloudBytesUploaded,
 * CloudBytesDownloaded, QueuedWrites, TimeSinceLastRecoveryPoint). Counters only grow; gauges
 * are computed when asked. Thread-safe.
 */
public final class CacheMetrics {
    private final CachePool pool;
    private final LongAdder hitBytes = new LongAdder();
    private final LongAdder missBytes = new LongAdder();
    private final LongAdder bytesUploaded = new LongAdder();
    private final LongAdder chunksUploaded = new LongAdder();
    private final LongAdder bytesDownloaded = new LongAdder();
    private final LongAdder uploadFailures = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder compactions = new LongAdder();

    CacheMetrics(CachePool pool) {
        this.pool = pool;
    }

    void hit(long bytes) {
        hitBytes.add(bytes);
    }

    void miss(long bytes) {
        missBytes.add(bytes);
    }

    void uploaded(long bytes) {
        bytesUploaded.add(bytes);
        chunksUploaded.increment();
    }

    void downloaded(long bytes) {
        bytesDownloaded.add(bytes);
    }

    void uploadFailed() {
        uploadFailures.increment();
    }

    void committed() {
        commits.increment();
    }

    void evicted() {
        evictions.increment();
    }

    void compacted() {
        compactions.increment();
    }

    /** Share of bytes read that were served from the cache, 0..100 (100 when nothing was read). */
    public double cacheHitPercent() {
        long h = hitBytes.sum();
        long total = h + missBytes.sum();
        return total == 0 ? 100.0 : 100.0 * h / total;
    }

    /** Share of slots holding data not yet in a recovery point, 0..100. */
    public double cachePercentDirty() {
        return 100.0 * pool.slots.slotCounts()[2] / pool.settings.slotCount();
    }

    /** Share of slots in use (clean or dirty), 0..100. */
    public double cachePercentUsed() {
        int[] c = pool.slots.slotCounts();
        return 100.0 * (c[1] + c[2]) / pool.settings.slotCount();
    }

    /** Bytes of dirty data waiting to reach a recovery point (slots × slot size). */
    public long queuedWriteBytes() {
        return (long) pool.slots.slotCounts()[2] * pool.slotSize;
    }

    /** Plaintext bytes handed to the chunk store for upload (duplicates included). */
    public long cloudBytesUploaded() {
        return bytesUploaded.sum();
    }

    public long chunksUploaded() {
        return chunksUploaded.sum();
    }

    /** Plaintext bytes fetched from the bucket. */
    public long cloudBytesDownloaded() {
        return bytesDownloaded.sum();
    }

    public long uploadFailures() {
        return uploadFailures.sum();
    }

    public long commits() {
        return commits.sum();
    }

    public long evictions() {
        return evictions.sum();
    }

    public long journalCompactions() {
        return compactions.sum();
    }

    /** Forces of the data file and journal done for flushes and FUA writes (concurrent ones share one). */
    public long journalForces() {
        return pool.journal.forces();
    }

    /** Writers currently waiting for cache space (back-pressure). */
    public int blockedWriters() {
        return pool.slots.waitingWriters();
    }

    /**
     * Milliseconds since the volume's data was last all in a recovery point: 0 when nothing of it
     * is waiting for upload, else the time since its last commit.
     */
    public long timeSinceLastRecoveryPointMillis(String volumeId) {
        PoolVolume v = pool.volume(volumeId);
        if (v == null) {
            throw new IllegalArgumentException("no volume " + volumeId + " in this cache");
        }
        boolean waiting = false;
        for (Entry e : pool.index.values()) {
            if (e.key.volume() == v.number && !e.removed && e.state != SlotState.CLEAN) {
                waiting = true;
                break;
            }
        }
        return waiting ? Math.max(0, pool.settings.clock().millis() - v.lastCommitMillis) : 0;
    }

    /** The volume's newest recovery point, or null when the volume is unknown. */
    public VolumeHead recoveryPoint(String volumeId) {
        PoolVolume v = pool.volume(volumeId);
        return v == null ? null : v.head;
    }
}
