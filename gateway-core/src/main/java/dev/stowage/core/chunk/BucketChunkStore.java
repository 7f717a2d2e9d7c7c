package dev.stowage.core.chunk;

import dev.stowage.core.chunk.CorruptChunkException.Reason;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PreconditionFailedException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.StorageClass;
import dev.stowage.core.store.StoreFailureException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link ChunkStore} over an {@link ObjectStore}: chunk {@code id} is the object
 * {@link ChunkId#objectKey()}, its bytes a frame made by {@link ChunkCodec}.
 *
 * <p><b>Deduplication.</b> {@link #put} hashes the plaintext, then skips the upload when the chunk
 * is already in the bucket. It knows that from, in order: a bounded in-memory set of chunks seen
 * recently ({@link Options#knownPresentCapacity()}); a put of the same chunk running concurrently
 * in this store (the second caller waits for the first and shares its result); and the bucket
 * itself, asked as {@link Options#probe()} says: {@link DedupProbe#HEAD_BEFORE_PUT} sends a HEAD and
 * uploads only when the object is missing (duplicates cost no upload bandwidth; works on every
 * S3-compatible store); {@link DedupProbe#CONDITIONAL_PUT} uploads with {@code If-None-Match: *}
 * and takes "precondition failed" to mean "already there" (one request for a new chunk; needs a
 * store with conditional writes); {@link DedupProbe#AUTO} does that until the store refuses the
 * condition, then HEADs. A store that ignores the condition merely overwrites a chunk
 * with an equally valid frame of the same content.
 *
 * <p><b>Self-repair.</b> When {@link #get} finds a chunk corrupt, the id is remembered as suspect,
 * and the next {@link #put} of that content uploads it again unconditionally, replacing the bad
 * object, instead of deduplicating against it.
 *
 * <p><b>Reclaim.</b> Space reclaim deletes through {@link #deleteUnreferenced}, inside a session of
 * this store's {@link ChunkFence} ({@link #fence()}): every put, read and existence check is an
 * operation of the fence, so a chunk reclaim deletes is never returned by a put that deduplicated
 * against it (the put uploads it again) and never left in the known-present set. Deleting a chunk
 * through another path ({@link #delete}, or another process) is not fenced and can leave a
 * reference to a missing chunk.
 *
 * <p>Thread-safe. Errors as described on {@link ChunkStore}.
 */
public final class BucketChunkStore implements ChunkStore {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BucketChunkStore.class);

    /** How {@link #put} asks the bucket whether a chunk is already there. */
    public enum DedupProbe {
        /** HEAD the key; upload only when absent. */
        HEAD_BEFORE_PUT,
        /** Upload with If-None-Match: *; PreconditionFailed means present. */
        CONDITIONAL_PUT,
        /**
         * {@link #CONDITIONAL_PUT} (one request per new chunk) until the store refuses the condition
         * (an error that is not "precondition failed" nor retryable, while a plain put of the same chunk
         * then succeeds: e.g. 501 NotImplemented); from then on {@link #HEAD_BEFORE_PUT}.
         */
        AUTO
    }

    /**
     * @param probe                how the bucket is asked whether a chunk exists
     * @param knownPresentCapacity how many chunk ids to remember as present (about 130 bytes each); 0 disables
     * @param storageClass         storage class of new chunk objects
     */
    public record Options(DedupProbe probe, int knownPresentCapacity, StorageClass storageClass) {

        /** HEAD before put, remember 100,000 chunks (≈13 MB), standard storage class. */
        public static final Options DEFAULT = new Options(DedupProbe.HEAD_BEFORE_PUT, 100_000, StorageClass.STANDARD);

        public Options {
            Objects.requireNonNull(probe, "probe");
            Objects.requireNonNull(storageClass, "storageClass");
            if (knownPresentCapacity < 0) {
                throw new IllegalArgumentException("knownPresentCapacity must be >= 0, got " + knownPresentCapacity);
            }
        }

        public Options withProbe(DedupProbe p) {
            return new Options(p, knownPresentCapacity, storageClass);
        }

        public Options withKnownPresentCapacity(int c) {
            return new Options(probe, c, storageClass);
        }
    }

    private static final int MAX_SUSPECTS = 10_000;
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final ObjectStore store;
    private final ChunkHasher hasher;
    private final ChunkCodec codec;
    private final Options options;
    private final KnownChunks known;
    private final ChunkFence fence = new ChunkFence();
    private final Set<ChunkId> suspects = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<ChunkId, CompletableFuture<ChunkRef>> inFlight = new ConcurrentHashMap<>();
    private final PutOptions plainPut;
    private final PutOptions createOnlyPut;
    /** The probe in use: {@link Options#probe()}, or HEAD_BEFORE_PUT once AUTO saw conditions refused. */
    private volatile DedupProbe probe;

    private final LongAdder chunksUploaded = new LongAdder();
    private final LongAdder bytesUploaded = new LongAdder();
    private final LongAdder chunksDeduplicated = new LongAdder();
    private final LongAdder chunksDownloaded = new LongAdder();
    private final LongAdder bytesDownloaded = new LongAdder();
    private final LongAdder chunksDeleted = new LongAdder();
    private final LongAdder corruptChunks = new LongAdder();

    public BucketChunkStore(ObjectStore store, ChunkHasher hasher, ChunkCodec codec, Options options) {
        this.store = Objects.requireNonNull(store, "store");
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.options = Objects.requireNonNull(options, "options");
        this.known = new KnownChunks(options.knownPresentCapacity());
        this.probe = options.probe();
        this.plainPut = PutOptions.builder().storageClass(options.storageClass()).contentType(CONTENT_TYPE).build();
        this.createOnlyPut = PutOptions.builder().storageClass(options.storageClass()).contentType(CONTENT_TYPE)
                .ifNoneMatch().build();
    }

    @Override
    public ChunkRef put(byte[] plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        ChunkFence.Ticket ticket = fence.enter();
        try {
            ChunkId id = hasher.idOf(plaintext);
            ChunkRef ref = putDeduplicated(id, plaintext);
            while (fence.admit(ticket, id) == ChunkFence.Admission.REUPLOAD) {
                // Reclaim deleted the chunk, possibly after our dedup decision: store it again, unconditionally.
                known.remove(id);
                byte[] frame = codec.encode(plaintext);
                store.put(id.objectKey(), frame, plainPut);
                ref = uploaded(id, plaintext.length, frame.length);
                fence.reuploaded(id);
            }
            return ref;
        } finally {
            fence.exit(ticket);
        }
    }

    private ChunkRef putDeduplicated(ChunkId id, byte[] plaintext) {
        while (true) {
            long knownSize = suspects.contains(id) ? -1 : known.storedSize(id);
            if (knownSize >= 0) {
                chunksDeduplicated.increment();
                return new ChunkRef(id, plaintext.length, knownSize);
            }
            CompletableFuture<ChunkRef> mine = new CompletableFuture<>();
            CompletableFuture<ChunkRef> other = inFlight.putIfAbsent(id, mine);
            if (other != null) {
                try {
                    ChunkRef shared = other.join();
                    chunksDeduplicated.increment();
                    return shared;
                } catch (CompletionException | java.util.concurrent.CancellationException e) {
                    continue; // the other put failed: try ourselves, and report our own failure
                }
            }
            try {
                ChunkRef ref = upload(id, plaintext);
                mine.complete(ref);
                return ref;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(id, mine);
            }
        }
    }

    /** Uploads unless the bucket has the chunk; counts either outcome. Caller holds the in-flight slot. */
    private ChunkRef upload(ChunkId id, byte[] plaintext) {
        String key = id.objectKey();
        boolean repair = suspects.contains(id);
        DedupProbe probe = this.probe;
        if (!repair && probe == DedupProbe.HEAD_BEFORE_PUT) {
            Optional<ObjectInfo> present = store.find(key);
            if (present.isPresent()) {
                return deduplicated(id, plaintext.length, present.get().size());
            }
        }
        byte[] frame = codec.encode(plaintext);
        if (!repair && probe != DedupProbe.HEAD_BEFORE_PUT) {
            for (int attempt = 0; ; attempt++) {
                try {
                    store.put(key, frame, createOnlyPut);
                    return uploaded(id, plaintext.length, frame.length);
                } catch (StoreFailureException e) {
                    if (probe != DedupProbe.AUTO) {
                        throw e;
                    }
                    return refusedCondition(id, plaintext, frame, e);
                } catch (PreconditionFailedException e) {
                    Optional<ObjectInfo> present = store.find(key);
                    if (present.isPresent()) {
                        return deduplicated(id, plaintext.length, present.get().size());
                    }
                    if (attempt >= 2) {
                        throw e; // it keeps appearing and vanishing: let the caller retry later
                    }
                }
            }
        }
        store.put(key, frame, plainPut);
        ChunkRef ref = uploaded(id, plaintext.length, frame.length);
        suspects.remove(id);
        return ref;
    }

    /**
     * AUTO mode, a conditional put failed with an error that is neither "precondition failed" nor
     * retryable: probe with HEAD and put plainly. When that works, the store refuses conditions and
     * HEAD_BEFORE_PUT is used from now on; when it fails too, the original error was not about the
     * condition, and the mode stays.
     */
    private ChunkRef refusedCondition(ChunkId id, byte[] plaintext, byte[] frame, StoreFailureException conditional) {
        String key = id.objectKey();
        ChunkRef ref;
        try {
            Optional<ObjectInfo> present = store.find(key);
            if (present.isPresent()) {
                ref = deduplicated(id, plaintext.length, present.get().size());
            } else {
                store.put(key, frame, plainPut);
                ref = uploaded(id, plaintext.length, frame.length);
            }
        } catch (RuntimeException e) {
            e.addSuppressed(conditional);
            throw e;
        }
        if (probe != DedupProbe.HEAD_BEFORE_PUT) {
            probe = DedupProbe.HEAD_BEFORE_PUT;
            log.warn("{} refused a conditional write (If-None-Match: *), so chunks are deduplicated with a HEAD "
                    + "before each upload from now on: {}", store.describe(), conditional.getMessage());
        }
        return ref;
    }

    private ChunkRef deduplicated(ChunkId id, int plaintextLength, long storedSize) {
        known.add(id, storedSize);
        chunksDeduplicated.increment();
        return new ChunkRef(id, plaintextLength, storedSize);
    }

    private ChunkRef uploaded(ChunkId id, int plaintextLength, long storedSize) {
        known.add(id, storedSize);
        chunksUploaded.increment();
        bytesUploaded.add(storedSize);
        return new ChunkRef(id, plaintextLength, storedSize);
    }

    @Override
    public byte[] get(ChunkId id) {
        ChunkFence.Ticket ticket = fence.enter();
        try {
            return getFenced(id);
        } finally {
            fence.exit(ticket);
        }
    }

    private byte[] getFenced(ChunkId id) {
        String key = id.objectKey();
        byte[] frame;
        try {
            frame = store.get(key);
        } catch (NotFoundException e) {
            known.remove(id); // gone after all: a later put must upload it again
            throw e;
        }
        chunksDownloaded.increment();
        bytesDownloaded.add(frame.length);
        try {
            byte[] plaintext = codec.decode(frame, key);
            ChunkId actual = hasher.idOf(plaintext);
            if (!actual.equals(id)) {
                throw new CorruptChunkException(key, Reason.CHUNK_ID_MISMATCH, "content hashes to " + actual.hex());
            }
            int storedSize = frame.length;
            fence.remember(id, () -> known.add(id, storedSize));
            suspects.remove(id); // verified now (repaired meanwhile)
            return plaintext;
        } catch (CorruptChunkException e) {
            corruptChunks.increment();
            known.remove(id);
            if (suspects.size() < MAX_SUSPECTS) {
                suspects.add(id);
            }
            throw e;
        }
    }

    @Override
    public boolean exists(ChunkId id) {
        if (known.storedSize(id) >= 0) {
            return true;
        }
        ChunkFence.Ticket ticket = fence.enter();
        try {
            Optional<ObjectInfo> info = store.find(id.objectKey());
            info.ifPresent(i -> fence.remember(id, () -> known.add(id, i.size())));
            return info.isPresent();
        } finally {
            fence.exit(ticket);
        }
    }

    /** The fence that orders {@link #deleteUnreferenced} against this store's puts; space reclaim opens its sessions. */
    public ChunkFence fence() {
        return fence;
    }

    /**
     * Deletes chunks that space reclaim found unreferenced, within the open {@code session} of
     * {@link #fence()}: ids that a put has returned since the session began are skipped (a new
     * reference may be on its way), the rest are forgotten by the known-present set and deleted
     * in one batch. A put that deduplicates against one of them meanwhile waits for the delete's
     * answer and uploads the chunk again. Missing chunks count as deleted.
     *
     * @return what was deleted, what the fence skipped, and the keys the store failed to delete
     *         (those may or may not be gone)
     * @throws IllegalStateException when {@code session} is not the open session
     * @throws dev.stowage.core.store.ObjectStoreException when the batch delete fails as a whole
     *         (the claimed chunks may or may not be gone; the fence treats them as deleted)
     */
    public FencedDelete deleteUnreferenced(ChunkFence.Session session, Collection<ChunkId> ids) {
        Objects.requireNonNull(session, "session");
        List<ChunkId> claimed = fence.claim(session, ids);
        int skipped = ids.size() - claimed.size();
        if (claimed.isEmpty()) {
            return new FencedDelete(List.of(), skipped, java.util.Map.of());
        }
        try {
            List<String> keys = new ArrayList<>(claimed.size());
            for (ChunkId id : claimed) {
                known.remove(id);
                keys.add(id.objectKey());
            }
            DeleteResult result = store.delete(keys);
            chunksDeleted.add(result.deleted());
            List<ChunkId> gone = new ArrayList<>(claimed.size());
            for (ChunkId id : claimed) {
                if (!result.failed().containsKey(id.objectKey())) {
                    gone.add(id);
                    suspects.remove(id);
                }
            }
            return new FencedDelete(gone, skipped, result.failed());
        } finally {
            fence.deleted(claimed);
        }
    }

    /**
     * Outcome of {@link #deleteUnreferenced}.
     *
     * @param deleted chunks deleted (or already absent)
     * @param skipped offered ids not deleted because a put had returned them during the session
     * @param failed  object keys the store could not delete, with its reason
     */
    public record FencedDelete(List<ChunkId> deleted, int skipped, java.util.Map<String, String> failed) {
        public FencedDelete {
            deleted = List.copyOf(deleted);
            failed = java.util.Map.copyOf(failed);
        }
    }

    @Override
    public DeleteResult delete(Collection<ChunkId> ids) {
        List<String> keys = new ArrayList<>(ids.size());
        for (ChunkId id : ids) {
            known.remove(id);
            keys.add(id.objectKey());
        }
        if (keys.isEmpty()) {
            return new DeleteResult(0, java.util.Map.of());
        }
        DeleteResult result = store.delete(keys);
        chunksDeleted.add(result.deleted());
        for (ChunkId id : ids) {
            if (!result.failed().containsKey(id.objectKey())) {
                suspects.remove(id);
            }
        }
        return result;
    }

    @Override
    public ChunkStoreStats stats() {
        return new ChunkStoreStats(chunksUploaded.sum(), bytesUploaded.sum(), chunksDeduplicated.sum(),
                chunksDownloaded.sum(), bytesDownloaded.sum(), chunksDeleted.sum(), corruptChunks.sum());
    }

    @Override
    public String toString() {
        return "BucketChunkStore[" + store.describe() + ", " + options + "]";
    }
}
