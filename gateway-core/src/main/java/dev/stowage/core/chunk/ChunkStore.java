package dev.stowage.core.chunk;

import dev.stowage.core.store.DeleteResult;
import java.util.Collection;

/**
 * Immutable, content-addressed chunks in the bucket. A chunk is named by the keyed hash of its
 * plaintext ({@link ChunkId}), stored once however often it is put, and verified on every read.
 *
 * <p><b>Threading:</b> implementations are thread-safe; every method may be called from many
 * threads at once and blocks until the bucket has answered.
 *
 * <p><b>Errors:</b> failures of the object store pass through unchanged as
 * {@link dev.stowage.core.store.ObjectStoreException} subclasses (a missing chunk is
 * {@link dev.stowage.core.store.NotFoundException}); a chunk that fails verification is a
 * {@link CorruptChunkException} naming the object key. Wrong data is never returned.
 */
public interface ChunkStore {

    /**
     * Stores {@code plaintext} as a chunk unless the bucket already holds it (then nothing is uploaded).
     * When this returns, the chunk is durably in the bucket.
     */
    ChunkRef put(byte[] plaintext);

    /** The verified plaintext of a chunk. */
    byte[] get(ChunkId id);

    /** Whether the bucket holds the chunk (without reading or verifying it). */
    boolean exists(ChunkId id);

    /**
     * Deletes chunks; missing ones are not an error. Not ordered against concurrent {@link #put}s
     * deduplicating against them: the caller must ensure that none can be, and that no live root
     * references them. Space reclaim uses the fenced
     * {@link BucketChunkStore#deleteUnreferenced} instead.
     *
     * @return the chunks that could not be deleted, by object key, with the store's reason
     */
    DeleteResult delete(Collection<ChunkId> ids);

    /** Counters since creation. */
    ChunkStoreStats stats();
}
