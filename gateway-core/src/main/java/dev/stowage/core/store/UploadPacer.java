package dev.stowage.core.store;

/**
 * Told by a store just before a request body leaves for the bucket: the whole file of a single
 * PUT, or each part of a multipart upload, on the thread that sends it. A layer that limits
 * bandwidth blocks here until the bytes may go, so a large upload is paced part by part.
 *
 * <p><b>Threading and errors:</b> called from the store's part threads, several at once;
 * implementations are thread-safe. Throwing {@link InterruptedException} (the sending thread was
 * interrupted while waiting) fails the upload as an interruption: a multipart upload is aborted.
 */
@FunctionalInterface
public interface UploadPacer {

    /** Never waits. */
    UploadPacer NONE = bytes -> { };

    /** Returns when {@code bytes} may be sent. */
    void beforeUpload(long bytes) throws InterruptedException;
}
