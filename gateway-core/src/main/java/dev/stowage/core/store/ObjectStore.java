package dev.stowage.core.store;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * The one contract between the gateway and an object store (S3 or anything that speaks it).
 *
 * <p>Keys are relative to the store's configured bucket and prefix; implementations add the
 * prefix. Every layer that wraps a store (fault injection, retry, compression, encryption)
 * implements this same interface, so layers stack.
 *
 * <p><b>Threading:</b> implementations are thread-safe; every method may be called from many
 * threads at once. Calls block until the store has answered (callers bring their own executors
 * for parallelism). {@link #putLarge} uploads parts in parallel internally.
 *
 * <p><b>Errors:</b> every failure is an {@link ObjectStoreException} subclass that says what went
 * wrong in operator terms ({@link NotFoundException}, {@link AccessDeniedException},
 * {@link NoSuchBucketException}, {@link InvalidCredentialsException}, {@link WrongRegionException},
 * {@link ClockSkewException}, {@link ThrottledException}, {@link ArchivedException},
 * {@link PreconditionFailedException}, {@link UnavailableException}).
 * {@link ObjectStoreException#retryable()} tells whether trying again later can help.
 * Arguments that are null or malformed get {@link IllegalArgumentException} /
 * {@link NullPointerException}.
 */
public interface ObjectStore extends AutoCloseable {

    /** Stores {@code data} under {@code key}, replacing any object there (unless a condition in {@code options} fails). */
    PutResult put(String key, byte[] data, PutOptions options);

    /**
     * Stores the content of {@code file} under {@code key}; large files go up as a multipart
     * upload with parts sent in parallel. On any failure the multipart upload is aborted, so no
     * orphaned parts are left behind.
     */
    PutResult putLarge(String key, Path file, PutOptions options);

    /**
     * As {@link #putLarge(String, Path, PutOptions)}, calling {@code pacer} before each request body
     * goes out (the file of a single PUT, each part of a multipart upload) so that a layer can pace
     * the upload. This default, for stores without parts of their own, paces the whole file before
     * the upload; stores with multipart uploads pace each part.
     */
    default PutResult putLarge(String key, Path file, PutOptions options, UploadPacer pacer) {
        long size;
        try {
            size = java.nio.file.Files.size(file);
        } catch (java.io.IOException | RuntimeException e) {
            size = 0; // putLarge reports the unreadable file in its own words
        }
        try {
            pacer.beforeUpload(size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreFailureException("interrupted while waiting to upload " + key, e);
        }
        return putLarge(key, file, options);
    }

    /** Reads the whole object, or the given byte range of it. Ranges past the end are clipped to the object. */
    byte[] get(String key, ByteRange range);

    /** Reads the whole object. */
    default byte[] get(String key) {
        return get(key, ByteRange.ALL);
    }

    /** Metadata of one object; {@link NotFoundException} when there is none. */
    ObjectInfo head(String key);

    /** Metadata of one object, or empty when there is none. */
    default Optional<ObjectInfo> find(String key) {
        try {
            return Optional.of(head(key));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * One page of the keys that start with {@code prefix}, in lexicographic order.
     *
     * @param continuation null for the first page, else {@link ListPage#continuation()} of the previous page
     * @param maxKeys      at most this many entries (1..1000)
     */
    ListPage list(String prefix, String continuation, int maxKeys);

    /** Every object whose key starts with {@code prefix}, fetched page by page as the iteration proceeds. */
    default Iterable<ObjectInfo> listAll(String prefix) {
        return () -> new ListingIterator(this, prefix);
    }

    /**
     * Deletes the given keys (in batches as the store allows). Missing keys are not an error.
     *
     * @return the keys that could not be deleted, with the reason; empty when all went
     */
    DeleteResult delete(Collection<String> keys);

    /** Server-side copy; the copy gets {@code options}' metadata and storage class. */
    PutResult copy(String sourceKey, String targetKey, PutOptions options);

    /**
     * Asks the store to bring an archived object (cold storage class) back for {@code days} days.
     * Completes when the request is accepted, not when the restore is done; poll
     * {@link #head(String)} and {@link ObjectInfo#archiveState()}.
     */
    void requestRestore(String key, int days, RestoreTier tier);

    /** A one-line description for logs, without secrets: endpoint, bucket, prefix. */
    String describe();

    /** Releases connections and threads. */
    @Override
    void close();
}
