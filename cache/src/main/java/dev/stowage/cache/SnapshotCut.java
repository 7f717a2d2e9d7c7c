package dev.stowage.cache;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PutOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A point-in-time snapshot being taken: the volume's content at one instant (the cut), while
 * writers go on. Taking the cut ({@link Snapshots#cut}) holds the pool's state lock for writing
 * only while it scans the index; it records the committed manifest root at that instant and, for
 * every chunk of the volume not yet in it, the entry's current version (its slot, version and
 * which sectors are valid) or "zero" for an unmapped chunk. Nothing is copied or uploaded then.
 *
 * <p>Until {@link #complete} has read a held version, the first later change of that entry
 * (a write or an unmap) first copies the slot into a side buffer ({@link SnapshotCuts#preserve});
 * the slot itself is not evicted while held. When the side-buffer budget is used up, writers to
 * held chunks wait (back-pressure) until the snapshot's uploads free buffers; writes to other
 * chunks go on.
 *
 * <p>{@link #complete} uploads every held version (sectors that were not valid at the cut are
 * filled from the chunk in the cut's committed root, not from whatever is committed later),
 * commits them on top of the cut's root as a new root of its own (the volume's head moves on
 * independently) and writes the snapshot record. When nothing was pending at the cut, the record
 * names the committed root itself.
 *
 * <p><b>Failures:</b> a snapshot that cannot finish in time, a bucket failure that is not
 * retryable, {@link #close} before completion, or the pool closing (or the process dying)
 * abandon it: its holds are dropped, nothing is recorded, and the volume's data is untouched.
 *
 * <p><b>Threading:</b> {@link #complete} and {@link #close} may be called from any thread, once.
 */
public final class SnapshotCut implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A chunk's version held for the snapshot; fields other than the finals are guarded by the entry's lock. */
    static final class Hold {
        final Entry entry;
        final long chunk;
        final int slot;
        final long gen;
        final long[] validAtCut;
        byte[] preserved;
        boolean creditHeld;

        Hold(Entry entry, long chunk, int slot, long gen, long[] validAtCut) {
            this.entry = entry;
            this.chunk = chunk;
            this.slot = slot;
            this.gen = gen;
            this.validAtCut = validAtCut;
        }

        void preserved(byte[] copy) {
            preserved = copy;
            creditHeld = true;
        }

        boolean validAtCut(int sector) {
            return (validAtCut[sector >>> 6] & (1L << (sector & 63))) != 0;
        }
    }

    private final CachePool pool;
    private final PoolVolume volume;
    private final String description;
    private final VolumeManifest base;
    private final VolumeHead baseHead;
    private final Instant cutAt;
    private final List<Hold> holds;
    private final List<Long> zeros;
    private boolean finished; // guarded by this
    /** Chunks this snapshot put and may still name in its root, for space reclaim ({@link #reportLive}). */
    private final java.util.Set<ChunkId> put = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean abandoned;

    private SnapshotCut(CachePool pool, PoolVolume volume, String description, VolumeManifest base,
                        VolumeHead baseHead, Instant cutAt, List<Hold> holds, List<Long> zeros) {
        this.pool = pool;
        this.volume = volume;
        this.description = description;
        this.base = base;
        this.baseHead = baseHead;
        this.cutAt = cutAt;
        this.holds = holds;
        this.zeros = zeros;
    }

    /**
     * Takes the cut of {@code v} now. Loads the volume's committed manifest first (may read the bucket).
     *
     * @throws IllegalStateException when a snapshot of the volume is being taken already
     */
    static SnapshotCut take(CachePool pool, PoolVolume v, String description) {
        v.manifest(pool.manifests); // outside the lock: may read the bucket
        List<Hold> holds = new ArrayList<>();
        List<Long> zeros = new ArrayList<>();
        SnapshotCut cut;
        pool.stateLock.writeLock().lock();
        try {
            if (pool.isClosed()) {
                throw new IllegalStateException("cache is closed");
            }
            for (Entry e : pool.index.values()) {
                if (e.key.volume() != v.number) {
                    continue;
                }
                e.lock.lock();
                try {
                    if (e.removed || e.state == SlotState.CLEAN) {
                        continue;
                    }
                    if (e.slot < 0) {
                        zeros.add(e.key.chunk());
                    } else {
                        holds.add(new Hold(e, e.key.chunk(), e.slot, e.gen, e.valid.clone()));
                    }
                } finally {
                    e.lock.unlock();
                }
            }
            cut = new SnapshotCut(pool, v, description, v.manifest, v.head, pool.settings.clock().instant(),
                    holds, zeros);
            if (!pool.cuts.begin(v.number, cut)) {
                throw new IllegalStateException("a snapshot of volume " + v.id
                        + " is being taken already; take the next one when it has completed");
            }
            for (Hold h : holds) {
                h.entry.lock.lock();
                try {
                    h.entry.hold = h;
                } finally {
                    h.entry.lock.unlock();
                }
            }
        } finally {
            pool.stateLock.writeLock().unlock();
        }
        return cut;
    }

    /** The volume this is a snapshot of. */
    public String volumeId() {
        return volume.id;
    }

    /** When the cut was taken (the pool's clock). */
    public Instant cutAt() {
        return cutAt;
    }

    /** Chunks that were not yet in a recovery point at the cut (saved by {@link #complete}). */
    public int pendingChunks() {
        return holds.size() + zeros.size();
    }

    /**
     * Uploads the held versions, commits the snapshot's root and records it in the bucket.
     *
     * @param timeout how long the uploads may take (a bucket outage makes this fail, not hang)
     * @throws IOException           when it could not finish in time, the bucket failed, or it was abandoned;
     *                               nothing is recorded then
     * @throws IllegalStateException when called twice
     */
    public Snapshot complete(Duration timeout) throws IOException, InterruptedException {
        synchronized (this) {
            if (finished) {
                throw new IllegalStateException("this snapshot cut was completed or abandoned already");
            }
            finished = true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ExecutorService workers = null;
        try {
            Map<Long, ChunkId> updates = new HashMap<>();
            for (long z : zeros) {
                updates.put(z, null);
            }
            if (!holds.isEmpty()) {
                AtomicInteger n = new AtomicInteger();
                workers = Executors.newFixedThreadPool(Math.min(holds.size(), pool.settings.uploadThreads()), r -> {
                    Thread t = new Thread(r, "snapshot-upload-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
                List<Future<ChunkId>> results = new ArrayList<>();
                for (Hold h : holds) {
                    results.add(workers.submit(() -> save(h, deadline)));
                }
                for (int i = 0; i < holds.size(); i++) {
                    try {
                        updates.put(holds.get(i).chunk, results.get(i).get(Math.max(0, deadline - System.nanoTime()),
                                TimeUnit.NANOSECONDS));
                    } catch (TimeoutException ex) {
                        // at least the one waited for; others may have ended (or failed) meanwhile
                        long left = Math.max(1, results.stream().filter(f -> f.state() != Future.State.SUCCESS).count());
                        throw new IOException("snapshot of volume " + volume.id + " gave up after " + timeout + ": "
                                + left + " chunks are not uploaded yet (is the bucket reachable?)");
                    } catch (ExecutionException ex) {
                        Throwable c = ex.getCause();
                        if (c instanceof GaveUp) {
                            long left = results.stream().filter(f -> f.state() != Future.State.SUCCESS).count();
                            throw new IOException("snapshot of volume " + volume.id + " gave up after " + timeout
                                    + ": " + left + " chunks are not uploaded yet (is the bucket reachable?): "
                                    + c.getMessage(), c);
                        }
                        throw c instanceof IOException io ? io : new IOException("snapshot of volume " + volume.id
                                + " failed: " + c.getMessage(), c);
                    }
                }
            }
            try {
                return record(updates, deadline);
            } catch (GaveUp g) {
                throw new IOException("snapshot of volume " + volume.id + " gave up after " + timeout + ": its manifest "
                        + "and record are not uploaded yet (is the bucket reachable?): " + g.getMessage(), g);
            }
        } finally {
            if (workers != null) {
                workers.shutdownNow();
            }
            release();
        }
    }

    /** Commits the snapshot's root on top of the cut's and writes the record. */
    private Snapshot record(Map<Long, ChunkId> updates, long deadline) throws IOException {
        pool.references.readLock().lock(); // the new root is in no live report until its record exists
        try {
            return recordLocked(updates, deadline);
        } finally {
            pool.references.readLock().unlock();
        }
    }

    /**
     * For space reclaim (called under the pool's {@code references} write lock): the cut's base
     * root and every chunk this snapshot put, until its record is written.
     */
    void reportLive(dev.stowage.cache.reclaim.LiveChunkSource.Sink sink) {
        sink.root(baseHead.root());
        for (ChunkId id : put) {
            sink.chunk(id);
        }
    }

    private Snapshot recordLocked(Map<Long, ChunkId> updates, long deadline) throws IOException {
        ChunkId root;
        long generation;
        if (updates.isEmpty()) {
            root = baseHead.root();
            generation = baseHead.generation();
        } else {
            VolumeManifest m = retry(() -> pool.manifests.commit(base, updates, pool.settings.clock().instant()),
                    deadline, "commit the snapshot's manifest");
            root = retry(() -> pool.manifests.saveRoot(m), deadline, "store the snapshot's manifest root");
            generation = m.generation();
        }
        String id = "snap-" + HexFormat.of().toHexDigits(RANDOM.nextLong());
        Snapshot s = new Snapshot(id, volume.id, root, generation, volume.size, cutAt, description);
        if (abandoned) {
            throw new IOException("snapshot of volume " + volume.id + " was abandoned (the cache was closed)");
        }
        if (pool.collectingAdoptions) {
            pool.adoptedRoots.add(root); // space reclaim may have listed the snapshots already
        }
        retry(() -> pool.bucket.put(Snapshot.objectKey(id), s.encode(), PutOptions.DEFAULT), deadline,
                "write the snapshot record");
        return s;
    }

    /** Abandons the snapshot unless it was completed (nothing is recorded). */
    @Override
    public void close() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        release();
    }

    /** The pool is closing: an unfinished snapshot is not recorded. */
    void abandon() {
        abandoned = true;
        close();
    }

    /** Reads (or takes the preserved copy of) one held version, fills it as of the cut and uploads it. */
    private ChunkId save(Hold h, long deadline) throws IOException, DeviceException {
        byte[] content;
        Entry e = h.entry;
        e.lock.lock();
        try {
            if (h.preserved != null) {
                content = h.preserved;
            } else if (e.hold == h && !abandoned) {
                content = new byte[pool.slotSize];
                pool.slots.read(h.slot, 0, ByteBuffer.wrap(content));
                e.hold = null; // read: later writes need no copy
            } else {
                throw new IOException("snapshot of volume " + volume.id + " was abandoned");
            }
        } finally {
            e.lock.unlock();
        }
        pool.cuts.signal();
        byte[] cutBase = null;
        boolean fetched = false;
        for (int s = 0; s < pool.sectorsPerSlot; s++) {
            if (h.validAtCut(s)) {
                continue;
            }
            if (!fetched) {
                cutBase = retry(() -> baseChunk(h.chunk), deadline, "read chunk " + h.chunk + " of the cut");
                fetched = true;
            }
            int at = s * Journal.SECTOR_SIZE;
            if (cutBase == null) {
                java.util.Arrays.fill(content, at, at + Journal.SECTOR_SIZE, (byte) 0);
            } else {
                System.arraycopy(cutBase, at, content, at, Journal.SECTOR_SIZE);
            }
        }
        int length = volume.chunkLength(h.chunk);
        byte[] chunk = length == content.length ? content : java.util.Arrays.copyOf(content, length);
        if (isZero(chunk)) {
            freeBuffer(h);
            return null;
        }
        try {
            pool.references.readLock().lock(); // the id is invisible to space reclaim until it is in 'put'
            try {
                ChunkId id = retry(() -> pool.chunks.put(chunk).id(), deadline, "upload chunk " + h.chunk);
                put.add(id);
                pool.metrics.uploaded(chunk.length);
                return id;
            } finally {
                pool.references.readLock().unlock();
            }
        } finally {
            freeBuffer(h);
        }
    }

    /** The side buffer of {@code h} (if it had one) is no longer needed: writers waiting for one may go on. */
    private void freeBuffer(Hold h) {
        h.entry.lock.lock();
        try {
            h.preserved = null;
            if (h.creditHeld) {
                h.creditHeld = false;
                pool.cuts.giveBack();
            }
        } finally {
            h.entry.lock.unlock();
        }
    }

    /** The chunk in the cut's committed root, padded to the slot size; null when it is zero there. */
    private byte[] baseChunk(long chunk) {
        ChunkId id = pool.manifests.chunkAt(base, chunk);
        if (id == null) {
            return null;
        }
        byte[] plain = pool.chunks.get(id);
        pool.metrics.downloaded(plain.length);
        return plain.length >= pool.slotSize ? plain : java.util.Arrays.copyOf(plain, pool.slotSize);
    }

    /** Runs {@code op}, retrying retryable bucket failures with back-off until {@code deadline}. */
    private <T> T retry(Supplier<T> op, long deadline, String what) throws IOException {
        long wait = Math.max(1, pool.settings.retryInitial().toMillis());
        while (true) {
            if (abandoned || pool.isClosed()) {
                throw new IOException("snapshot of volume " + volume.id + " was abandoned (the cache was closed)");
            }
            try {
                return op.get();
            } catch (ObjectStoreException ex) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!ex.retryable()) {
                    throw new IOException("snapshot of volume " + volume.id + ": cannot " + what + ": "
                            + ex.getMessage(), ex);
                }
                if (left <= 0) {
                    throw new GaveUp("snapshot of volume " + volume.id + " gave up: cannot " + what
                            + " (is the bucket reachable?): " + ex.getMessage(), ex);
                }
                CachePool.sleepQuietly(Math.min(wait, left));
                if (Thread.currentThread().isInterrupted()) {
                    throw new IOException("snapshot of volume " + volume.id + " was interrupted");
                }
                wait = Math.min(wait * 2, pool.settings.retryMax().toMillis());
            }
        }
    }

    /** A retried bucket call ran out of time. */
    private static final class GaveUp extends IOException {
        GaveUp(String message, Throwable cause) {
            super(message, cause);
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

    /** Drops every hold and side buffer and ends the volume's cut. */
    private void release() {
        for (Hold h : holds) {
            Entry e = h.entry;
            e.lock.lock();
            try {
                if (e.hold == h) {
                    e.hold = null;
                }
            } finally {
                e.lock.unlock();
            }
            freeBuffer(h);
        }
        pool.cuts.end(volume.number, this);
    }
}
