package dev.stowage.cache;

import dev.stowage.core.device.DeviceException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-ahead for sequential reads of cached volumes. Each read is shown to the volume's
 * {@link ReadStreams}; once a stream has moved forward over {@link ReadStreams#TRIGGER} chunks in
 * a row, the next {@link ReadStreams#DEPTH} chunks are fetched in the background and installed
 * CLEAN, as a read miss would install them. Random reads never trigger it.
 *
 * <p><b>Bounds:</b> at most {@link #MAX_IN_FLIGHT} fetches run at once (more wait in a short
 * queue; beyond it they are dropped), and chunks fetched ahead but not read yet may take at most
 * an eighth of the slots ({@link #outstandingLimit}); a prefetch never waits for a slot and never
 * evicts anything but CLEAN slots, like a read miss.
 *
 * <p><b>Sharing a fetch:</b> a read that misses a chunk whose prefetch is queued or running waits
 * for it ({@link #awaitFetch}) and then finds the chunk cached, so the chunk is fetched once.
 *
 * <p><b>Errors:</b> a failed prefetch is counted and logged at debug level and changes nothing: the
 * read of that chunk fetches it itself, and fails or succeeds as it would have without prefetch.
 *
 * <p><b>Threading:</b> thread-safe; fetches run on daemon threads {@code cache-prefetch-N},
 * stopped by {@link #close}.
 */
final class Prefetcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Prefetcher.class);
    /** Prefetches running at once. */
    static final int MAX_IN_FLIGHT = 4;
    private static final int QUEUE = 64;
    /** A read waits at most this long for a running prefetch of its chunk before fetching it itself. */
    private static final long AWAIT_MILLIS = 60_000;

    private final CachePool pool;
    private final ThreadPoolExecutor executor;
    private final Map<Integer, ReadStreams> streams = new ConcurrentHashMap<>();
    /** Fetches queued or running, by chunk. */
    private final Map<ChunkKey, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    /** Chunks fetched ahead and installed, not read yet (bounded by {@link #outstandingLimit}). */
    private final Map<ChunkKey, Boolean> unread = new ConcurrentHashMap<>();
    private final int outstandingLimit;

    Prefetcher(CachePool pool) {
        this.pool = pool;
        this.outstandingLimit = Math.max(1, pool.settings.slotCount() / 8);
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(MAX_IN_FLIGHT, MAX_IN_FLIGHT, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "cache-prefetch-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * A read of chunks {@code first..last} of {@code v} is starting: feeds the stream detector and
     * starts the prefetches it asks for.
     */
    void onRead(PoolVolume v, long first, long last) {
        ReadStreams s = streams.computeIfAbsent(v.number, k -> new ReadStreams());
        long[] range = s.onRead(first, last, v.chunkCount());
        if (range == null) {
            return;
        }
        for (long c = range[0]; c <= range[1]; c++) {
            start(v, c);
        }
    }

    private void start(PoolVolume v, long chunk) {
        ChunkKey key = new ChunkKey(v.number, chunk);
        if (pool.isClosed() || pool.index.containsKey(key) || inFlight.containsKey(key)) {
            return;
        }
        if (unread.size() + inFlight.size() >= outstandingLimit && !dropEvicted()) {
            pool.metrics.prefetchDropped();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (inFlight.putIfAbsent(key, done) != null) {
            return;
        }
        try {
            executor.execute(() -> fetch(v, chunk, key, done));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(key, done);
            done.complete(null);
            pool.metrics.prefetchDropped();
        }
    }

    /** Forgets unread prefetched chunks that were evicted meanwhile; true when that made room. */
    private boolean dropEvicted() {
        boolean dropped = false;
        for (ChunkKey k : unread.keySet()) {
            Entry e = pool.index.get(k);
            if (e == null || e.removed) {
                dropped |= unread.remove(k) != null;
            }
        }
        return dropped && unread.size() + inFlight.size() < outstandingLimit;
    }

    private void fetch(PoolVolume v, long chunk, ChunkKey key, CompletableFuture<Void> done) {
        try {
            if (!pool.isClosed() && pool.installAhead(v, chunk)) {
                unread.put(key, Boolean.TRUE);
                pool.metrics.prefetched();
            }
        } catch (DeviceException | RuntimeException e) {
            pool.metrics.prefetchFailed();
            log.debug("prefetch of chunk {} of volume {} failed (the read will fetch it): {}", chunk, v.id,
                    e.toString());
        } finally {
            inFlight.remove(key, done);
            done.complete(null);
        }
    }

    /**
     * When a prefetch of {@code key} is queued or running, waits for it to end (successful or not)
     * and returns true: the caller looks at the cache again. False when there is none.
     */
    boolean awaitFetch(ChunkKey key) {
        CompletableFuture<Void> f = inFlight.get(key);
        if (f == null) {
            return false;
        }
        try {
            f.get(AWAIT_MILLIS, TimeUnit.MILLISECONDS);
            pool.metrics.prefetchAwaited();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the read fetches the chunk itself
        }
        return true;
    }

    /** A read was served from the cache: counts a prefetch hit when the chunk was fetched ahead. */
    void served(ChunkKey key) {
        if (!unread.isEmpty() && unread.remove(key) != null) {
            pool.metrics.prefetchHit();
        }
    }

    /** Waits until no prefetch is queued or running (tests). */
    void awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (CompletableFuture<Void> f : inFlight.values()) {
            long left = deadline - System.nanoTime();
            try {
                f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return;
            }
        }
        while (executor.getActiveCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    /** Chunks fetched ahead and not read yet. */
    int unread() {
        return unread.size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CompletableFuture<Void> f : inFlight.values()) {
            f.complete(null);
        }
    }
}
