package dev.stowage.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and gauges of a {@link CachePool}, named after the metrics storage administrators
 * know (CacheHitPercent, CachePercentDirty, CachePercentUsed, UploadBufferUsed, CloudBytesUploaded,
 * CloudBytesDownloaded, QueuedWrites, TimeSinceLastRecoveryPoint), plus read-ahead and warm-restart
 * counters. {@link #snapshot()} gives all of them as a name → value map for export. Counters only
 * grow; gauges are computed when asked (some walk the slot table or the index: meant for a scrape
 * every few seconds, not per I/O). Thread-safe.
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
    private final LongAdder prefetched = new LongAdder();
    private final LongAdder prefetchHits = new LongAdder();
    private final LongAdder prefetchAwaited = new LongAdder();
    private final LongAdder prefetchFailures = new LongAdder();
    private final LongAdder prefetchDropped = new LongAdder();
    private final LongAdder warmRestored = new LongAdder();
    private final LongAdder warmRejected = new LongAdder();

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

    void prefetched() {
        prefetched.increment();
    }

    void prefetchHit() {
        prefetchHits.increment();
    }

    void prefetchAwaited() {
        prefetchAwaited.increment();
    }

    void prefetchFailed() {
        prefetchFailures.increment();
    }

    void prefetchDropped() {
        prefetchDropped.increment();
    }

    void warmRestored(long chunks) {
        warmRestored.add(chunks);
    }

    void warmRejected() {
        warmRejected.increment();
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

    /**
     * Upload buffer used: bytes of the slots holding data not yet in a recovery point (dirty,
     * uploading, or uploaded and waiting for the commit). Same as {@link #queuedWriteBytes()}.
     */
    public long uploadBufferUsedBytes() {
        return queuedWriteBytes();
    }

    /** Chunks written and waiting for their upload to start (settle delay, back-off or thread limit). */
    public long chunksQueuedForUpload() {
        return pool.dirty.size();
    }

    /** Uploads running now. */
    public int uploadsInFlight() {
        return pool.uploader.inFlight();
    }

    /** Chunks uploaded and waiting for the commit that puts them in a recovery point. */
    public long chunksWaitingForCommit() {
        long n = 0;
        for (PoolVolume v : pool.volumes()) {
            synchronized (v.pending) {
                n += v.pending.size();
            }
        }
        return n;
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

    /**
     * The largest {@link #timeSinceLastRecoveryPointMillis(String)} over the volumes of the pool
     * (0 when nothing waits for upload anywhere).
     */
    public long maxTimeSinceLastRecoveryPointMillis() {
        long max = 0;
        for (String id : pool.volumeIds()) {
            max = Math.max(max, timeSinceLastRecoveryPointMillis(id));
        }
        return max;
    }

    /** Chunks fetched ahead of sequential reads and kept in the cache. */
    public long prefetchedChunks() {
        return prefetched.sum();
    }

    /** Chunks fetched ahead that a read then found in the cache. */
    public long prefetchHits() {
        return prefetchHits.sum();
    }

    /** Read misses that waited for a prefetch of their chunk under way instead of fetching it again. */
    public long readsThatAwaitedPrefetch() {
        return prefetchAwaited.sum();
    }

    /** Prefetches that failed (the reads fetched those chunks themselves). */
    public long prefetchFailures() {
        return prefetchFailures.sum();
    }

    /** Prefetches not started because the in-flight or cache-share limit was reached. */
    public long prefetchesDropped() {
        return prefetchDropped.sum();
    }

    /** Clean chunks kept from the data file at the last open (a warm cache after a restart). */
    public long warmChunksRestored() {
        return warmRestored.sum();
    }

    /** Kept clean chunks whose slot no longer matched its checksum when first used (read again instead). */
    public long warmChunksRejected() {
        return warmRejected.sum();
    }

    /**
     * Every pool-wide metric by name (snake case, units in the name), in a stable order: what a
     * management API or a Prometheus exporter exposes. Values are read now; the map is a copy.
     */
    public Map<String, Number> snapshot() {
        Map<String, Number> m = new LinkedHashMap<>();
        int[] c = pool.slots.slotCounts();
        int total = pool.settings.slotCount();
        m.put("cache_hit_percent", cacheHitPercent());
        m.put("cache_dirty_percent", 100.0 * c[2] / total);
        m.put("cache_used_percent", 100.0 * (c[1] + c[2]) / total);
        m.put("cache_size_bytes", (long) total * pool.slotSize);
        m.put("upload_buffer_used_bytes", (long) c[2] * pool.slotSize);
        m.put("chunks_queued_for_upload", chunksQueuedForUpload());
        m.put("uploads_in_flight", uploadsInFlight());
        m.put("chunks_waiting_for_commit", chunksWaitingForCommit());
        m.put("blocked_writers", blockedWriters());
        m.put("cloud_bytes_uploaded", cloudBytesUploaded());
        m.put("cloud_bytes_downloaded", cloudBytesDownloaded());
        m.put("chunks_uploaded", chunksUploaded());
        m.put("upload_failures", uploadFailures());
        m.put("commits", commits());
        m.put("evictions", evictions());
        m.put("journal_forces", journalForces());
        m.put("journal_compactions", journalCompactions());
        m.put("max_time_since_last_recovery_point_ms", maxTimeSinceLastRecoveryPointMillis());
        m.put("prefetched_chunks", prefetchedChunks());
        m.put("prefetch_hits", prefetchHits());
        m.put("reads_that_awaited_prefetch", readsThatAwaitedPrefetch());
        m.put("prefetch_failures", prefetchFailures());
        m.put("prefetches_dropped", prefetchesDropped());
        m.put("warm_chunks_restored", warmChunksRestored());
        m.put("warm_chunks_rejected", warmChunksRejected());
        return m;
    }

    /**
     * Per-volume metrics by name: {@code time_since_last_recovery_point_ms}, {@code recovery_point_generation}.
     *
     * @throws IllegalArgumentException when the pool does not know the volume
     */
    public Map<String, Number> volumeSnapshot(String volumeId) {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("time_since_last_recovery_point_ms", timeSinceLastRecoveryPointMillis(volumeId));
        m.put("recovery_point_generation", recoveryPoint(volumeId).generation());
        return m;
    }

    /** The volume's newest recovery point, or null when the volume is unknown. */
    public VolumeHead recoveryPoint(String volumeId) {
        PoolVolume v = pool.volume(volumeId);
        return v == null ? null : v.head;
    }
}
