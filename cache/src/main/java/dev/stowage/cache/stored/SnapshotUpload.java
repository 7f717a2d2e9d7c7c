package dev.stowage.cache.stored;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.store.ObjectStoreException;
import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Uploads the chunks of one {@link SnapshotCut} through the chunk store with bounded parallelism
 * and commits them into a new manifest on top of the base (copy-on-write pages: only the changed
 * chunks and the pages above them are written). All-zero chunks are not uploaded; they are
 * committed as absent (the manifest's zero). Chunks already in the bucket are deduplicated by
 * the chunk store.
 *
 * <p><b>Errors:</b> a chunk put that fails with a retryable store error is retried with back-off
 * until the deadline; a non-retryable error, a local read error or the deadline ends the whole
 * upload with an {@link IOException} saying how many chunks were left. Nothing is committed then.
 *
 * <p><b>Threading:</b> one instance per snapshot, {@link #run} called once; it starts and ends its
 * own worker threads.
 */
final class SnapshotUpload {

    /** What the upload produced. */
    /**
     * @param chunksPut  non-zero chunks put through the chunk store (deduplicated ones included)
     * @param bytesPut   their plaintext bytes
     * @param zeroChunks chunks of the cut that were all zeros (committed as absent)
     * @param preserved  chunks copied aside because a writer changed them before they were read
     */
    record Result(VolumeManifest manifest, ChunkId root, long chunksPut, long bytesPut, long zeroChunks,
                  long preserved) {
    }

    private final Bucket bucket;
    private final StoredVolumeSettings settings;
    private final String volumeId;
    private final SnapshotCut cut;
    private final BitSet chunks;
    private final long deadlineNanos;
    private final java.util.function.BooleanSupplier cancelled;
    private final Map<Long, ChunkId> updates = new HashMap<>();
    private final AtomicLong uploaded = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong zeros = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private int cursor; // next chunk index to hand out; guarded by this
    private final java.util.concurrent.locks.Lock references;
    private volatile ChunkId savedRoot; // the new root once stored, until the volume publishes it

    /** @param cancelled polled between chunks and retries: true ends the upload (the volume is closing) */
    /**
     * @param references held (shared) from each put until its id is in {@link #reportLive}'s view, and
     *                   while the manifest is committed: space reclaim's report takes it exclusively
     */
    SnapshotUpload(Bucket bucket, StoredVolumeSettings settings, String volumeId, SnapshotCut cut, BitSet chunks,
                   long deadlineNanos, java.util.function.BooleanSupplier cancelled,
                   java.util.concurrent.locks.Lock references) {
        this.references = references;
        this.cancelled = cancelled;
        this.bucket = bucket;
        this.settings = settings;
        this.volumeId = volumeId;
        this.cut = cut;
        this.chunks = chunks;
        this.deadlineNanos = deadlineNanos;
    }

    Result run(VolumeManifest base) throws IOException, InterruptedException {
        int total = chunks.cardinality();
        int threads = Math.max(1, Math.min(settings.uploadThreads(), total));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "snapshot-" + volumeId);
            t.setDaemon(true);
            return t;
        });
        try {
            Future<?>[] workers = new Future<?>[threads];
            for (int i = 0; i < threads; i++) {
                workers[i] = pool.submit(this::work);
            }
            for (Future<?> f : workers) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failure.compareAndSet(null, e.getCause() instanceof Exception x ? x : new IOException(e.getCause()));
                }
            }
        } catch (InterruptedException e) {
            failure.compareAndSet(null, e);
            pool.shutdownNow();
            throw e;
        } finally {
            pool.shutdownNow();
        }
        Exception f = failure.get();
        if (f != null) {
            long left = total - done.get();
            String what = f instanceof DeadlineException ? "gave up at its deadline"
                    : f instanceof CancelledException ? "was stopped because the volume is closing"
                    : "failed: " + f.getMessage();
            throw new IOException("snapshot of stored volume " + volumeId + " " + what + "; " + left + " of " + total
                    + " changed chunks were not uploaded (they stay changed and go into the next snapshot)", f);
        }
        VolumeManifest next;
        ChunkId root;
        references.lock();
        try {
            next = bucket.manifests().commit(base, updates, settings.clock().instant());
            root = bucket.manifests().saveRoot(next);
            savedRoot = root;
        } catch (ObjectStoreException e) {
            throw new IOException("snapshot of stored volume " + volumeId + " could not store its manifest: "
                    + e.getMessage(), e);
        } finally {
            references.unlock();
        }
        return new Result(next, root, uploaded.get(), bytes.get(), zeros.get(), cut.preservedCount());
    }

    /** Names every chunk this upload has put and the root it stored, for space reclaim. */
    void reportLive(java.util.function.Consumer<ChunkId> chunk, java.util.function.Consumer<ChunkId> root) {
        synchronized (updates) {
            for (ChunkId id : updates.values()) {
                if (id != null) {
                    chunk.accept(id);
                }
            }
        }
        ChunkId r = savedRoot;
        if (r != null) {
            root.accept(r);
        }
    }

    private synchronized int next() {
        int c = chunks.nextSetBit(cursor);
        if (c >= 0) {
            cursor = c + 1;
        }
        return c;
    }

    private Void work() throws Exception {
        while (failure.get() == null) {
            if (cancelled.getAsBoolean()) {
                throw new CancelledException();
            }
            int c = next();
            if (c < 0) {
                return null;
            }
            byte[] content = cut.take(c);
            ChunkId id;
            references.lock();
            try {
                id = isZero(content) ? null : put(content);
                synchronized (updates) {
                    updates.put((long) c, id);
                }
            } finally {
                references.unlock();
            }
            if (id == null) {
                zeros.incrementAndGet();
            }
            done.incrementAndGet();
        }
        return null;
    }

    private ChunkId put(byte[] content) throws Exception {
        long backoff = settings.retryInitial().toNanos();
        while (true) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new DeadlineException();
            }
            if (cancelled.getAsBoolean()) {
                throw new CancelledException();
            }
            try {
                ChunkId id = bucket.chunks().put(content).id();
                uploaded.incrementAndGet();
                bytes.addAndGet(content.length);
                return id;
            } catch (ObjectStoreException e) {
                if (!e.retryable() || failure.get() != null) {
                    throw e;
                }
                long wake = System.nanoTime() + Math.min(backoff, Math.max(0, deadlineNanos - System.nanoTime()));
                long left;
                while ((left = wake - System.nanoTime()) > 0 && !cancelled.getAsBoolean()) {
                    long nap = Math.min(left, 100_000_000L); // short naps: a closing volume is noticed soon
                    Thread.sleep(nap / 1_000_000, (int) (nap % 1_000_000));
                }
                backoff = Math.min(backoff * 2, settings.retryMax().toNanos());
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

    /** The volume is closing while chunks were left. */
    private static final class CancelledException extends Exception {
        CancelledException() {
            super("cancelled", null, false, false);
        }
    }

    /** The snapshot's deadline passed while chunks were left. */
    private static final class DeadlineException extends Exception {
        DeadlineException() {
            super("deadline passed", null, false, false);
        }
    }
}
