package dev.stowage.core.store;

/** The request time differs too much from the server's (RequestTimeTooSkewed): fix the clock (NTP). */
public final class ClockSkewException extends ObjectStoreException {

    public ClockSkewException(String message) {
        super(message, null);
    }

    public ClockSkewException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
