package dev.stowage.cache.reclaim;

/**
 * A reclaim run stopped before deleting anything because it could not establish what is live: a
 * root, manifest page or record could not be read or parsed, an engine could not report its live
 * chunks, or another run holds the chunk store's fence. The message says what and where; the cause
 * is the underlying error. Nothing was deleted by the failed run; run again once the cause is fixed.
 */
public final class ReclaimException extends RuntimeException {
    public ReclaimException(String message, Throwable cause) {
        super(message, cause);
    }

    public ReclaimException(String message) {
        super(message);
    }
}
