package dev.stowage.cache;

import dev.stowage.cache.PoolVolume.Pending;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves dirty chunks to the bucket and turns them into recovery points. One coordinator thread
 * picks DIRTY entries whose settle delay has passed (all of them when writers wait for space,
 * when more than half of the slots are dirty, or while {@link #drain} runs), marks them
 * UPLOADING and hands them to a pool of {@link CacheSettings#uploadThreads()} workers. A worker
 * fills sectors never written from the recovery point (fetching the base chunk), copies the
 * slot, and puts it through the chunk store (identical chunks are not stored twice); an all-zero
 * chunk is not uploaded but committed as "zero". A worker that finishes takes the next due entry
 * itself, so the uploads in flight do not wait for the coordinator (or its commits).
 * Commits force only the journal, not the data file (their data is in the bucket).
 *
 * <p>When a volume has no uploads in flight (or many results waiting, or writers wait for space),
 * the coordinator commits
 * its finished uploads into a new manifest root, journals COMMIT and CLEAN records durably, then
 * marks the slots CLEAN (evictable) and publishes the head object ({@code volumes/<id>/head}).
 * The coordinator also compacts the journal when it has grown by {@link CacheSettings#journalLimit()}
 * since its last checkpoint.
 *
 * <p><b>Failures:</b> a failed upload returns its entry to DIRTY with exponential back-off
 * (from {@link CacheSettings#retryInitial()} to {@link CacheSettings#retryMax()}); a failed
 * commit keeps its uploads waiting and is retried the same way; an unpublished head is retried
 * at every round. Nothing is dropped: after an outage, uploads resume by themselves.
 *
 * <p><b>Threading:</b> its own threads; {@link #wake}, {@link #drain} and {@link #stop} may be
 * called from any thread.
 */
final class Uploader {
    private static final Logger log = LoggerFactory.getLogger(Uploader.class);
    private static final int COMMIT_BATCH = 256;
    /** Dirty entries a worker looks at for its next upload before leaving the choice to the coordinator. */
    private static final int CHAIN_LOOK = 64;

    private final CachePool pool;
    private final ExecutorService workers;
    private final Thread coordinator;
    private final Object signal = new Object();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Odd while a commit runs (from taking the uploads until the head is published): lets {@link #idle} see it. */
    private final AtomicLong commitEpoch = new AtomicLong();
    private boolean wakeRequested; // guarded by signal
    private volatile int draining;
    /** Set by each round: more than half of the slots are dirty (workers treat uploads as urgent too). */
    private volatile boolean mostlyDirty;
    private volatile boolean stopped;
    private long rounds; // guarded by signal
    private long nextScanMillis = Long.MIN_VALUE; // coordinator thread only
    private boolean scanCutShort; // coordinator thread only
    private final AtomicLong earliestRetry = new AtomicLong(
            Long.MAX_VALUE);

    Uploader(CachePool pool) {
        this.pool = pool;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(pool.settings.uploadThreads(), r -> {
            Thread t = new Thread(r, "cache-upload-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.coordinator = new Thread(this::run, "cache-uploader");
        this.coordinator.setDaemon(true);
    }

    void start() {
        coordinator.start();
    }

    /** Uploads running now. */
    int inFlight() {
        return inFlight.get();
    }

    void wake() {
        synchronized (signal) {
            wakeRequested = true;
            signal.notifyAll();
        }
    }

    void stop() {
        stopped = true;
        wake();
        try {
            coordinator.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code n} rounds, each followed by waiting for the uploads it started to finish (for tests
     * with a manual clock: a round started by this call sees the clock as the test set it).
     */
    void awaitRounds(int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            synchronized (signal) {
                long target = rounds + 2; // a round already running may have read the clock before the call
                while (rounds < target) {
                    wakeRequested = true;
                    signal.notifyAll();
                    signal.wait(100);
                }
            }
            while (inFlight.get() > 0) {
                synchronized (signal) {
                    signal.wait(10);
                }
            }
        }
    }

    /** See {@link CachePool#drain}. */
    boolean drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (signal) {
            draining++;
        }
        try {
            long lastWake = 0;
            boolean woken = false;
            while (true) {
                long startRound;
                boolean idle = idle();
                synchronized (signal) {
                    startRound = rounds;
                    // Wake the coordinator to see the drain (and to confirm idleness), then let it run by itself:
                    // finished uploads wake it. Waking it on every check would make it spin, taking CPU from
                    // the uploads. A nudge every 50 ms still picks up writes arriving during the drain.
                    long nowNanos = System.nanoTime();
                    if (idle || !woken || nowNanos - lastWake >= TimeUnit.MILLISECONDS.toNanos(50)) {
                        woken = true;
                        lastWake = nowNanos;
                        wakeRequested = true;
                        signal.notifyAll();
                    }
                }
                if (idle) {
                    // One more full round after seeing idle, so a commit that was just started is seen finishing.
                    synchronized (signal) {
                        while (rounds < startRound + 1) {
                            long left = deadline - System.nanoTime();
                            if (left <= 0) {
                                return idle();
                            }
                            signal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                        }
                    }
                    if (idle()) {
                        return true;
                    }
                }
                synchronized (signal) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    if (rounds == startRound) {
                        signal.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
                    }
                }
            }
        } finally {
            synchronized (signal) {
                draining--;
            }
        }
    }

    /** True when nothing is dirty, uploading, waiting for a commit or for a head to be published. */
    boolean idle() {
        long epoch = commitEpoch.get();
        if ((epoch & 1) != 0 || !pool.dirty.isEmpty() || inFlight.get() > 0) {
            return false;
        }
        for (PoolVolume v : pool.volumes()) {
            synchronized (v.pending) {
                if (!v.pending.isEmpty()) {
                    return false;
                }
            }
            if (v.headUnpublished) {
                return false;
            }
        }
        return commitEpoch.get() == epoch; // no commit started or ended while we looked
    }

    private void run() {
        while (!stopped) {
            long nextWake;
            try {
                nextWake = round();
            } catch (RuntimeException | Error e) {
                log.error("cache uploader round failed; retrying", e);
                nextWake = pool.settings.clock().millis() + 1000;
            }
            synchronized (signal) {
                rounds++;
                signal.notifyAll();
                long wait = nextWake - pool.settings.clock().millis();
                if (!wakeRequested && !stopped && wait > 0) {
                    try {
                        signal.wait(Math.min(wait, 1000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wakeRequested = false;
            }
        }
    }

    /** One pass: start due uploads, commit, publish heads, compact. Returns when to look again (millis). */
    private long round() {
        long now = pool.settings.clock().millis();
        long nextWake = now + 1000;
        // Counting slots walks the whole slot table: skip it when already urgent.
        boolean urgent = draining > 0 || pool.slots.waitingWriters() > 0
                || pool.slots.slotCounts()[2] * 2 > pool.settings.slotCount();
        mostlyDirty = urgent && draining == 0 && pool.slots.waitingWriters() == 0;
        long settle = pool.settings.settleDelay().toMillis();
        // Scanning every dirty entry on every round would cost O(dirty) per finished upload; scan only
        // when something can have become due: the earliest due time seen, new writes (due no earlier
        // than a settle delay after this scan), a retry time, or a scan cut short by the thread limit.
        boolean scan = urgent || scanCutShort || now >= nextScanMillis || now >= earliestRetry.get();
        if (scan) {
            scanCutShort = false;
            earliestRetry.set(Long.MAX_VALUE);
            long earliestDue = now + settle;
            long[] earliest = {earliestDue};
            for (Entry e : pool.dirty) {
                if (inFlight.get() >= pool.settings.uploadThreads()) {
                    scanCutShort = true;
                    break;
                }
                inFlight.incrementAndGet(); // before the entry leaves the dirty set, so idle() never sees it nowhere
                PoolVolume volume = claim(e, now, urgent, settle, earliest);
                if (volume == null) {
                    inFlight.decrementAndGet();
                    continue;
                }
                workers.execute(() -> work(volume, e));
            }
            earliestDue = earliest[0];
            nextScanMillis = earliestDue;
        }
        nextWake = Math.min(nextWake, Math.min(nextScanMillis, earliestRetry.get()));
        for (PoolVolume v : pool.volumes()) {
            int waiting;
            synchronized (v.pending) {
                waiting = v.pending.size();
            }
            // A volume another gateway wrote is not committed: its data stays in the cache (VolumeGuard).
            if (waiting > 0 && !pool.guard.inConflict(v.id) && (v.uploading.get() == 0 || waiting >= COMMIT_BATCH || pool.slots.waitingWriters() > 0)) {
                if (v.commitNotBeforeMillis <= now && !commitSeen(v)) {
                    nextWake = Math.min(nextWake, v.commitNotBeforeMillis);
                } else if (v.commitNotBeforeMillis > now) {
                    nextWake = Math.min(nextWake, v.commitNotBeforeMillis);
                }
            }
            if (v.headUnpublished) {
                pool.publishHead(v);
            }
        }
        // Compact when the journal grew by the limit since its last checkpoint (a checkpoint of a very
        // dirty cache may itself exceed the limit; it must not be rewritten on every round).
        if (pool.journal.growth() > pool.settings.journalLimit()) {
            try {
                pool.compactJournal();
            } catch (IOException e) {
                log.error("cache journal compaction failed (the journal keeps growing): {}", e.toString());
            }
        }
        return nextWake;
    }

    /**
     * Takes {@code e} for upload if it is DIRTY and due: marks it UPLOADING and returns its volume;
     * otherwise null ({@code earliestDue[0]} is lowered to its due time when it is not due yet).
     * The caller owns an in-flight place for it.
     */
    private PoolVolume claim(Entry e, long now, boolean urgent, long settle, long[] earliestDue) {
        e.lock.lock();
        try {
            if (e.removed || e.state != SlotState.DIRTY) {
                if (e.removed || e.state == SlotState.CLEAN) {
                    pool.dirty.remove(e);
                }
                return null;
            }
            // Settled: no write for the settle delay, or dirty for four settle delays (a chunk
            // written all the time is still uploaded regularly).
            long settled = Math.min(e.dirtySinceMillis + settle, e.firstDirtyMillis + 4 * settle);
            long due = Math.max(e.notBeforeMillis, urgent ? 0 : settled);
            if (due > now) {
                earliestDue[0] = Math.min(earliestDue[0], due);
                return null;
            }
            PoolVolume v = pool.volume(e.key.volume());
            if (v == null) {
                return null;
            }
            e.state = SlotState.UPLOADING;
            pool.dirty.remove(e);
            v.uploading.incrementAndGet();
            return v;
        } finally {
            e.lock.unlock();
        }
    }

    /**
     * Worker: uploads {@code e}, then keeps its in-flight place and takes the next due entry
     * itself (looking at a few dirty entries), so uploads stay in flight without waiting for the
     * coordinator to be scheduled or to finish a commit. Stops when nothing is due or on stop.
     */
    private void work(PoolVolume v, Entry e) {
        try {
            while (true) {
                upload(v, e);
                if (stopped) {
                    return;
                }
                long now = pool.settings.clock().millis();
                boolean urgent = draining > 0 || mostlyDirty || pool.slots.waitingWriters() > 0;
                long settle = pool.settings.settleDelay().toMillis();
                long[] ignored = {Long.MAX_VALUE};
                PoolVolume nextVolume = null;
                Entry next = null;
                int looked = 0;
                for (Entry d : pool.dirty) {
                    if (++looked > CHAIN_LOOK) {
                        break;
                    }
                    nextVolume = claim(d, now, urgent, settle, ignored);
                    if (nextVolume != null) {
                        next = d;
                        break;
                    }
                }
                if (next == null) {
                    return;
                }
                v = nextVolume;
                e = next;
            }
        } finally {
            inFlight.decrementAndGet();
            wake();
        }
    }

    /** Uploads one entry (state UPLOADING). */
    private void upload(PoolVolume v, Entry e) {
        try {
            byte[] content = null;
            long gen = 0;
            boolean zero = false;
            while (content == null && !zero) {
                e.lock.lock();
                try {
                    if (e.removed) {
                        return;
                    }
                    gen = e.gen;
                    if (e.slot < 0) {
                        zero = true;
                        break;
                    }
                    if (e.allValid(0, pool.sectorsPerSlot)) {
                        content = new byte[v.chunkLength(e.key.chunk())];
                        pool.slots.read(e.slot, 0, java.nio.ByteBuffer.wrap(content));
                        break;
                    }
                } finally {
                    e.lock.unlock();
                }
                fill(v, e);
            }
            pool.references.readLock().lock(); // the id is in no live report until finished(): see CachePool#references
            try {
                ChunkId id = null;
                if (!zero && !isZero(content)) {
                    id = pool.chunks.put(content).id();
                    pool.metrics.uploaded(content.length);
                }
                finished(v, e, gen, id, zero ? 0 : CachePool.chunkCrc(content, content.length));
            } finally {
                pool.references.readLock().unlock();
            }
        } catch (Exception ex) {
            failed(v, e, ex);
        } finally {
            v.uploading.decrementAndGet();
            wake(); // the coordinator commits, publishes and dispatches while this worker goes on
        }
    }

    /** Merges the recovery point's chunk into the sectors of {@code e} that were never written. */
    private void fill(PoolVolume v, Entry e) throws Exception {
        while (true) {
            long epoch = v.commitCount.get();
            byte[] base = pool.fetchBase(v, e.key.chunk());
            pool.stateLock.readLock().lock();
            try {
                if (v.commitCount.get() != epoch) {
                    continue;
                }
                e.lock.lock();
                try {
                    if (!e.removed) {
                        pool.mergeBase(e, base);
                    }
                    return;
                } finally {
                    e.lock.unlock();
                }
            } finally {
                pool.stateLock.readLock().unlock();
            }
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private void finished(PoolVolume v, Entry e, long gen, ChunkId id, int crc) {
        e.lock.lock();
        try {
            if (e.removed) {
                return; // replaced (unmapped) meanwhile: its successor carries the newer state
            }
            e.attempts = 0;
            synchronized (v.pending) {
                Pending old = v.pending.get(e.key.chunk());
                if (old == null || old.gen() <= gen) {
                    v.pending.put(e.key.chunk(), new Pending(e, gen, id));
                }
            }
            if (e.gen == gen) {
                e.state = SlotState.UPLOADED;
                e.uploadCrc = crc;
                e.uploadCrcGen = gen;
            } else {
                e.state = SlotState.DIRTY; // written during the upload: upload again
                e.dirtySinceMillis = pool.settings.clock().millis();
                e.firstDirtyMillis = e.dirtySinceMillis;
                pool.dirty.add(e);
            }
        } finally {
            e.lock.unlock();
        }
    }

    private void failed(PoolVolume v, Entry e, Exception ex) {
        e.lock.lock();
        try {
            if (e.removed) {
                return;
            }
            e.attempts++;
            e.notBeforeMillis = pool.settings.clock().millis() + backoff(e.attempts);
            long retryAt = e.notBeforeMillis;
            earliestRetry.accumulateAndGet(retryAt, Math::min);
            e.state = SlotState.DIRTY;
            pool.dirty.add(e);
            pool.metrics.uploadFailed();
            if (e.attempts == 1 || e.attempts % 10 == 0) {
                log.warn("upload of chunk {} of volume {} failed (attempt {}), retrying: {}", e.key.chunk(), v.id,
                        e.attempts, ex.toString());
            }
        } finally {
            e.lock.unlock();
        }
    }

    private long backoff(int attempts) {
        long initial = Math.max(1, pool.settings.retryInitial().toMillis());
        long max = pool.settings.retryMax().toMillis();
        long b = initial << Math.min(attempts - 1, 20);
        return Math.min(b, max);
    }

    /** {@link #commit}, with {@link #commitEpoch} odd meanwhile. */
    private boolean commitSeen(PoolVolume v) {
        commitEpoch.incrementAndGet();
        try {
            return commit(v);
        } finally {
            commitEpoch.incrementAndGet();
        }
    }

    /** Commits the finished uploads of {@code v} into a new recovery point. Coordinator thread only. */
    private boolean commit(PoolVolume v) {
        pool.references.readLock().lock(); // the batch and new pages are in no live report until v.head moves
        try {
            return commitLocked(v);
        } finally {
            pool.references.readLock().unlock();
        }
    }

    private boolean commitLocked(PoolVolume v) {
        Map<Long, Pending> batch;
        synchronized (v.pending) {
            batch = new HashMap<>(v.pending);
            v.pending.clear();
        }
        long now = pool.settings.clock().millis();
        try {
            VolumeManifest base = v.manifest(pool.manifests);
            Map<Long, ChunkId> updates = new HashMap<>();
            for (Map.Entry<Long, Pending> p : batch.entrySet()) {
                updates.put(p.getKey(), p.getValue().id());
            }
            VolumeManifest next = pool.manifests.commit(base, updates, pool.settings.clock().instant());
            if (log.isDebugEnabled()) {
                StringBuilder b = new StringBuilder();
                for (Map.Entry<Long, Pending> p : new java.util.TreeMap<>(batch).entrySet()) {
                    b.append(' ').append(p.getKey()).append(p.getValue().id() == null ? "=0" : "")
                            .append("/g").append(p.getValue().gen()).append(p.getValue().entry().slot < 0 ? "z" : "s"
                            + p.getValue().entry().slot);
                }
                log.debug("commit {} gen {} on {}:{}", v.id, next.generation(), base.generation(), b);
            }
            ChunkId root = pool.manifests.saveRoot(next);
            pool.journal.append(new JournalRecord.Commit(v.number, next.generation(), root));
            List<Pending> cleaned = new ArrayList<>(batch.values());
            for (Pending p : cleaned) {
                pool.journal.append(new JournalRecord.Clean(p.entry().slot, v.number, p.entry().key.chunk(),
                        p.gen()));
            }
            pool.journal.forceRecords(); // the data is in the bucket: no need to force the data file
            pool.stateLock.writeLock().lock();
            try {
                v.manifest = next;
                v.head = new VolumeHead(root, next.generation());
                v.commitCount.incrementAndGet();
                v.lastCommitMillis = now;
                for (Pending p : cleaned) {
                    Entry e = p.entry();
                    e.lock.lock();
                    try {
                        if (!e.removed && e.gen == p.gen() && e.state == SlotState.UPLOADED) {
                            if (e.slot < 0) {
                                e.removed = true;
                                pool.index.remove(e.key, e);
                            } else {
                                e.state = SlotState.CLEAN;
                                if (e.uploadCrcGen == p.gen()) {
                                    e.cleanCrc = e.uploadCrc; // the slot holds what was uploaded
                                    e.cleanCrcKnown = true;
                                    pool.journalWarm(e);
                                }
                            }
                        }
                    } finally {
                        e.lock.unlock();
                    }
                }
            } finally {
                pool.stateLock.writeLock().unlock();
            }
            v.commitFailures = 0;
            pool.metrics.committed();
            pool.slots.signalSpace();
            pool.publishHead(v);
            return true;
        } catch (Exception ex) {
            synchronized (v.pending) {
                for (Map.Entry<Long, Pending> p : batch.entrySet()) {
                    Pending newer = v.pending.get(p.getKey());
                    if (newer == null || newer.gen() < p.getValue().gen()) {
                        v.pending.put(p.getKey(), p.getValue());
                    }
                }
            }
            v.commitFailures++;
            v.commitNotBeforeMillis = now + backoff(v.commitFailures);
            if (v.commitFailures == 1 || v.commitFailures % 10 == 0) {
                log.warn("commit of volume {} failed (attempt {}), retrying: {}", v.id, v.commitFailures,
                        ex.toString());
            }
            return false;
        }
    }
}
