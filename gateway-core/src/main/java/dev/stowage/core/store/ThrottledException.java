package dev.stowage.core.store;

/** The store asks to slow down (503 SlowDown, 429, RequestLimitExceeded). */
public final class ThrottledException extends ObjectStoreException {

    public ThrottledException(String message) {
        super(message, null);
    }

    public ThrottledException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
