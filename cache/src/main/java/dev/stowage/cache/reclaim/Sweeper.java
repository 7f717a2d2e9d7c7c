package dev.stowage.cache.reclaim;

import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkFence;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweep phase of one reclaim run: lists the 256 prefixes {@code chunks/00/} .. {@code chunks/ff/}
 * ({@link ReclaimSettings#sweepThreads()} at once) and deletes, in batches through the chunk
 * store's fence ({@link BucketChunkStore#deleteUnreferenced}), every chunk that is not marked and
 * was last modified at or before the cutoff. Objects whose key is not a chunk key are counted and
 * left alone.
 *
 * <p><b>Failures:</b> a prefix whose listing or delete fails is swept again from its start, up to
 * {@link ReclaimSettings#prefixAttempts()} times (what was deleted is gone; the rest is listed
 * again); after that it is reported as failed and the other prefixes go on. Keys the store refused
 * to delete are reported. A sweep cut short leaves only garbage behind (it deletes nothing live
 * whenever it stops), which the next run deletes.
 *
 * <p><b>Threading:</b> {@link #sweep} runs on the caller's thread and a pool of its own threads,
 * shut down before it returns.
 */
final class Sweeper {
    private static final Logger log = LoggerFactory.getLogger(Sweeper.class);
    private static final int MAX_ERRORS = 20;

    private final ObjectStore bucket;
    private final BucketChunkStore chunks;
    private final ReclaimSettings settings;
    private final BooleanSupplier stopping;

    final LongAdder listed = new LongAdder();
    final LongAdder deleted = new LongAdder();
    final LongAdder bytesFreed = new LongAdder();
    final LongAdder skippedByFence = new LongAdder();
    final LongAdder skippedByGrace = new LongAdder();
    final LongAdder foreign = new LongAdder();
    final List<String> failedPrefixes = Collections.synchronizedList(new ArrayList<>());
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger errorCount = new AtomicInteger();

    Sweeper(ObjectStore bucket, BucketChunkStore chunks, ReclaimSettings settings, BooleanSupplier stopping) {
        this.bucket = bucket;
        this.chunks = chunks;
        this.settings = settings;
        this.stopping = stopping;
    }

    /** Sweeps every prefix; returns when all are done or failed. */
    void sweep(ChunkFence.Session session, MarkSet marks, Instant cutoff) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(settings.sweepThreads(), r -> {
            Thread t = new Thread(r, "reclaim-sweep");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < 256; p++) {
                String prefix = dev.stowage.core.chunk.ChunkId.KEY_PREFIX + HexFormat.of().toHexDigits((byte) p) + "/";
                futures.add(pool.submit(() -> sweepPrefix(session, marks, cutoff, prefix)));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    error("sweep thread failed: " + e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Collections.sort(failedPrefixes);
    }

    private void sweepPrefix(ChunkFence.Session session, MarkSet marks, Instant cutoff, String prefix) {
        for (int attempt = 1; ; attempt++) {
            if (stopping.getAsBoolean()) {
                failedPrefixes.add(prefix);
                return;
            }
            try {
                sweepOnce(session, marks, cutoff, prefix);
                return;
            } catch (RuntimeException e) {
                if (attempt >= settings.prefixAttempts()) {
                    log.warn("reclaim: sweeping {} failed {} times, giving up until the next run: {}", prefix, attempt,
                            e.toString());
                    failedPrefixes.add(prefix);
                    error(prefix + ": " + e.getMessage());
                    return;
                }
                log.debug("reclaim: sweeping {} failed (attempt {}), again: {}", prefix, attempt, e.toString());
            }
        }
    }

    private void sweepOnce(ChunkFence.Session session, MarkSet marks, Instant cutoff, String prefix) {
        Map<ChunkId, Long> batch = new HashMap<>();
        String continuation = null;
        do {
            if (stopping.getAsBoolean()) {
                throw new IllegalStateException("reclaim is stopping");
            }
            ListPage page = bucket.list(prefix, continuation, 1000);
            for (ObjectInfo info : page.objects()) {
                listed.increment();
                ChunkId id;
                try {
                    id = ChunkId.fromObjectKey(info.key());
                } catch (IllegalArgumentException e) {
                    foreign.increment();
                    continue;
                }
                if (marks.contains(id)) {
                    continue;
                }
                if (info.lastModified() == null || info.lastModified().isAfter(cutoff)) {
                    skippedByGrace.increment();
                    continue;
                }
                batch.put(id, info.size());
                if (batch.size() >= settings.deleteBatch()) {
                    delete(session, batch);
                }
            }
            continuation = page.continuation();
        } while (continuation != null);
        delete(session, batch);
    }

    private void delete(ChunkFence.Session session, Map<ChunkId, Long> batch) {
        if (batch.isEmpty()) {
            return;
        }
        BucketChunkStore.FencedDelete result = chunks.deleteUnreferenced(session, batch.keySet());
        skippedByFence.add(result.skipped());
        for (ChunkId id : result.deleted()) {
            deleted.increment();
            bytesFreed.add(batch.get(id));
        }
        for (Map.Entry<String, String> f : result.failed().entrySet()) {
            error("cannot delete " + f.getKey() + ": " + f.getValue());
        }
        batch.clear();
    }

    private void error(String message) {
        if (errorCount.incrementAndGet() <= MAX_ERRORS) {
            errors.add(message);
        }
    }
}
