package dev.stowage.core.store;

/** Any other error the store reported; the message carries the store's error code. */
public final class StoreFailureException extends ObjectStoreException {

    public StoreFailureException(String message) {
        super(message, null);
    }

    public StoreFailureException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
