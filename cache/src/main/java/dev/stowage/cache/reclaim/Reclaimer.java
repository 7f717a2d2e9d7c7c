package dev.stowage.cache.reclaim;

import dev.stowage.cache.CachePool;
import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkFence;
import dev.stowage.core.store.ObjectStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Space reclaim: a mark and sweep over the bucket that deletes exactly the chunks nothing
 * references any more (after snapshots or volumes were deleted, or after commits replaced
 * manifest pages and data chunks), and is safe to interrupt and to run again.
 *
 * <p><b>A run</b> ({@link #reclaim}):
 * <ol>
 *   <li><b>Fence.</b> Opens a session of the chunk store's {@link ChunkFence}: from now on every
 *       chunk a put returns (uploaded or deduplicated) is recorded, and waits for puts that started
 *       earlier to end (they record too).</li>
 *   <li><b>Mark.</b> Lists {@code volumes/<id>/head} and {@code snapshots/<id>}, then asks every
 *       registered {@link LiveChunkSource} for its in-memory roots and uncommitted chunks, and
 *       walks every root: root record, manifest pages, data chunks ({@link Marker}).</li>
 *   <li><b>Sweep.</b> Lists the 256 {@code chunks/xx/} prefixes in parallel and deletes, in
 *       batches through the fence, each chunk that is not marked, was not recorded by the fence,
 *       and is older than the grace period ({@link Sweeper}).</li>
 * </ol>
 *
 * <p><b>Why nothing live is deleted</b> (within this process; see docs/reclaim.md). A chunk X that
 * some root needs when the run ends was referenced, at the moment the mark looked, by (a) a root
 * in the bucket, (b) an engine's in-memory state, or (c) nobody yet: a writer obtained it later.
 * (a) and (b) are marked: engines report after the bucket is listed, naming the roots they
 * referenced meanwhile, and hold back adoptions of existing roots while they report, so a root
 * adopted later is at least as new as what was reported. In (c) the writer got X from a put that
 * ended after the fence began (engines report everything obtained before), and so X is recorded;
 * the recording and the sweep's claim of X are ordered by the fence's lock: either the sweep sees X
 * recorded and skips it, or the put sees X claimed, waits for the delete's answer and uploads X
 * again before returning. Deleted ids are also dropped from the store's known-chunk memory, so no
 * later put deduplicates against them. Pages and data chunks that an uncommitted commit reuses
 * from its base root are marked through the engine's in-memory root, the base.
 *
 * <p><b>Interruption.</b> Each run recomputes its marks from scratch and only ever deletes unmarked
 * chunks, so a run stopped anywhere (exception, outage, {@link #close}, kill -9) has deleted only
 * garbage; the next run deletes the rest. No state in the bucket is needed to resume.
 *
 * <p><b>Other writers.</b> The fence orders this process's puts. Chunks written by another process
 * (another gateway on the same bucket) are protected only by the grace period: chunks modified
 * less than {@link ReclaimSettings#gracePeriod()} before the run began are never deleted. One
 * gateway per bucket prefix is the supported setup.
 *
 * <p><b>Threading:</b> thread-safe. Runs are serialised: {@link #reclaim} waits for a run in
 * progress; {@link #requestReclaim} runs on a background thread and coalesces requests.
 * {@link #register}/{@link #unregister} may be called at any time (a run in progress uses the
 * sources registered when it began).
 *
 * <p><b>Errors:</b> a run that cannot complete its mark throws {@link ReclaimException} having
 * deleted nothing; failures during the sweep are retried per prefix and then reported in
 * {@link ReclaimReport#failedPrefixes()} / {@link ReclaimReport#errors()} (the run still returns).
 */
public final class Reclaimer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reclaimer.class);

    private final ObjectStore bucket;
    private final BucketChunkStore chunks;
    private final ReclaimSettings settings;
    private final List<LiveChunkSource> sources = new CopyOnWriteArrayList<>();
    private final ReentrantLock runLock = new ReentrantLock();
    private final ExecutorService background;
    private CompletableFuture<ReclaimReport> queued; // guarded by this
    private volatile ReclaimReport last;
    private volatile boolean closed;

    /**
     * @param bucket   the object store holding {@code chunks/}, {@code volumes/} and {@code snapshots/}
     * @param chunks   the chunk store over that bucket that every writer of this process uses (its
     *                 fence is what orders deletes against their puts)
     * @param settings grace period, parallelism, clock
     */
    public Reclaimer(ObjectStore bucket, BucketChunkStore chunks, ReclaimSettings settings) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reclaim");
            t.setDaemon(true);
            return t;
        });
    }

    /** Adds an engine whose in-memory references every later run keeps. */
    public void register(LiveChunkSource source) {
        sources.add(Objects.requireNonNull(source, "source"));
    }

    /** Removes an engine (e.g. after it closed and published everything). */
    public void unregister(LiveChunkSource source) {
        sources.remove(source);
    }

    /**
     * Connects a cache pool: registers its live chunks ({@link CachePool#liveChunkSource()}) and makes
     * {@link dev.stowage.cache.Snapshots#deleteSnapshot} request a run after each deletion. The pool
     * must use this reclaimer's chunk store.
     */
    public void attach(CachePool pool) {
        register(pool.liveChunkSource());
        pool.snapshots().reclaimAfterDelete(this::requestReclaim);
    }

    /**
     * Runs one reclaim now, on the caller's thread, and returns what it did. Waits while another
     * run of this reclaimer is in progress.
     *
     * @throws ReclaimException     when the mark could not be completed (nothing was deleted)
     * @throws InterruptedException when interrupted while waiting to start or while starting
     * @throws IllegalStateException after {@link #close}
     */
    public ReclaimReport reclaim() throws InterruptedException {
        runLock.lockInterruptibly();
        try {
            if (closed) {
                throw new IllegalStateException("the reclaimer is closed");
            }
            return run();
        } finally {
            runLock.unlock();
        }
    }

    /**
     * Asks for a run in the background. Requests made while a run is waiting to start share it; the
     * returned future completes with the report of a run that started after this call (or with its
     * exception).
     */
    public synchronized CompletableFuture<ReclaimReport> requestReclaim() {
        if (queued != null) {
            return queued;
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the reclaimer is closed"));
        }
        CompletableFuture<ReclaimReport> f = new CompletableFuture<>();
        queued = f;
        background.execute(() -> {
            synchronized (Reclaimer.this) {
                if (queued == f) {
                    queued = null;
                }
            }
            try {
                f.complete(reclaim());
            } catch (Throwable t) {
                log.warn("background reclaim failed: {}", t.getMessage());
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** The report of the last run that finished its sweep, if any. */
    public Optional<ReclaimReport> lastReport() {
        return Optional.ofNullable(last);
    }

    private ReclaimReport run() throws InterruptedException {
        Instant started = settings.clock().instant();
        Instant cutoff = started.minus(settings.gracePeriod());
        ChunkFence.Session session;
        try {
            session = chunks.fence().begin();
        } catch (IllegalStateException e) {
            throw new ReclaimException("reclaim cannot start: " + e.getMessage(), e);
        }
        try {
            Marker marker = new Marker(bucket, chunks);
            marker.markAll(List.copyOf(sources));
            Sweeper sweeper = new Sweeper(bucket, chunks, settings, () -> closed);
            sweeper.sweep(session, marker.marks(), cutoff);
            ReclaimReport report = new ReclaimReport(started, settings.clock().instant(), marker.rootsWalked(),
                    marker.marks().size(), sweeper.listed.sum(), sweeper.deleted.sum(), sweeper.bytesFreed.sum(),
                    sweeper.skippedByFence.sum(), sweeper.skippedByGrace.sum(), sweeper.foreign.sum(),
                    sweeper.failedPrefixes, sweeper.errors);
            last = report;
            log.info("reclaim: {} roots, {} live chunks; {} chunks listed, {} deleted ({} bytes), kept {} by the "
                            + "fence and {} by the grace period{}", report.rootsMarked(), report.chunksMarked(),
                    report.chunksListed(), report.chunksDeleted(), report.bytesFreed(), report.skippedByFence(),
                    report.skippedByGrace(), report.complete() ? "" : "; incomplete: " + report.failedPrefixes().size()
                            + " prefixes failed, errors " + report.errors());
            return report;
        } finally {
            session.close();
        }
    }

    /**
     * Stops: a run in progress stops sweeping at its next listing page or batch (what it deleted
     * was garbage; the rest stays for a later run); queued requests fail. Does not wait.
     */
    @Override
    public void close() {
        CompletableFuture<ReclaimReport> pending;
        synchronized (this) {
            closed = true;
            pending = queued;
            queued = null;
        }
        if (pending != null) {
            pending.completeExceptionally(new IllegalStateException("the reclaimer is closed"));
        }
        background.shutdown();
    }
}
