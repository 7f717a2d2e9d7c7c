package dev.stowage.core.store;

/** The object is in a cold storage class and must be restored before it can be read (InvalidObjectState). */
public final class ArchivedException extends ObjectStoreException {

    public ArchivedException(String message) {
        super(message, null);
    }

    public ArchivedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
