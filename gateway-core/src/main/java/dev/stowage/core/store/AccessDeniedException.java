package dev.stowage.core.store;

/** The credentials are valid but lack permission for this call (403 AccessDenied). */
public final class AccessDeniedException extends ObjectStoreException {

    public AccessDeniedException(String message) {
        super(message, null);
    }

    public AccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
