package dev.stowage.core.store;

/** The configured bucket does not exist (404 NoSuchBucket). */
public final class NoSuchBucketException extends ObjectStoreException {

    public NoSuchBucketException(String message) {
        super(message, null);
    }

    public NoSuchBucketException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
