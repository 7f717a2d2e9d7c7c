package dev.stowage.core.store;

/** A conditional write or read did not hold (412 PreconditionFailed, 409 ConditionalRequestConflict). */
public final class PreconditionFailedException extends ObjectStoreException {

    public PreconditionFailedException(String message) {
        super(message, null);
    }

    public PreconditionFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
