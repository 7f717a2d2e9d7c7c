package dev.stowage.cache;

import dev.stowage.cache.reclaim.LiveChunkSource;
import dev.stowage.core.chunk.ChunkId;
import java.util.concurrent.TimeUnit;

/**
 * The {@link LiveChunkSource} of a {@link CachePool}: every volume's committed root (whether or
 * not its head object is published yet), every upload waiting for its commit, and the roots that
 * snapshots recorded since {@link #runStarting} (reclaim lists the bucket between the two calls, so
 * a snapshot record written meanwhile may not be listed). {@link #runStarting} switches the
 * recording on under the write lock, so a snapshot either wrote its record before (it is listed)
 * or records its root; the report switches it off and empties the set.
 *
 * <p>The report holds the pool's {@link CachePool#references} lock for writing, so it waits for
 * every upload between "put returned" and "pending entry in place", every commit between "batch
 * taken out of pending" and "head moved", and every snapshot, clone or new volume between
 * "root read" and "record or volume in place"; and none of those can start while it reports.
 * Afterwards, new uploads' chunks and commits' pages are protected by the chunk store's fence
 * (they are put after the fence began), and new adoptions see a root at least as new as the one
 * reported.
 *
 * <p><b>Threading:</b> thread-safe. <b>Errors:</b> {@link IllegalStateException} when the lock
 * cannot be had within ten minutes (uploads stuck in a bucket outage); the reclaim run then stops.
 */
final class PoolLiveChunks implements LiveChunkSource {
    private static final long LOCK_WAIT_MINUTES = 10;

    private final CachePool pool;

    PoolLiveChunks(CachePool pool) {
        this.pool = pool;
    }

    @Override
    public void runStarting() {
        lock();
        try {
            pool.collectingAdoptions = true;
        } finally {
            pool.references.writeLock().unlock();
        }
    }

    @Override
    public void reportLiveChunks(Sink sink) {
        lock();
        try {
            for (ChunkId root : pool.adoptedRoots) {
                sink.root(root);
            }
            pool.adoptedRoots.clear();
            pool.collectingAdoptions = false;
            pool.cuts.reportLive(sink); // snapshots being taken: their base roots and uploaded chunks
            for (PoolVolume v : pool.volumes()) {
                sink.root(v.head.root());
                synchronized (v.pending) {
                    for (PoolVolume.Pending p : v.pending.values()) {
                        if (p.id() != null) {
                            sink.chunk(p.id());
                        }
                    }
                }
            }
        } finally {
            pool.references.writeLock().unlock();
        }
    }

    private void lock() {
        boolean locked;
        try {
            locked = pool.references.writeLock().tryLock(LOCK_WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the cache's uploads and commits");
        }
        if (!locked) {
            throw new IllegalStateException("the cache's uploads and commits did not pause within "
                    + LOCK_WAIT_MINUTES + " minutes (is the bucket reachable?)");
        }
    }

    @Override
    public String describe() {
        return "cache pool " + pool.settings.directory();
    }
}
