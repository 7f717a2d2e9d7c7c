package dev.stowage.core.store;

/** No object under the key (404 NoSuchKey). */
public final class NotFoundException extends ObjectStoreException {

    public NotFoundException(String message) {
        super(message, null);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
