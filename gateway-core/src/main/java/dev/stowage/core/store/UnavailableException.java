package dev.stowage.core.store;

/** The store could not be reached or answered with a server error: connection refused, reset or timed out, 500, 503. */
public final class UnavailableException extends ObjectStoreException {

    public UnavailableException(String message) {
        super(message, null);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
