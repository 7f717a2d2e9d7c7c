package dev.stowage.core.store;

/** The store did not accept the credentials: unknown access key, wrong secret, or an expired token. */
public final class InvalidCredentialsException extends ObjectStoreException {

    /** Which part of the credentials is wrong. */
    public enum Reason {
        /** InvalidAccessKeyId: the access key id is not known to the store. */
        UNKNOWN_ACCESS_KEY,
        /** SignatureDoesNotMatch: the secret key does not belong to the access key id. */
        SIGNATURE_MISMATCH,
        /** ExpiredToken / InvalidToken: temporary credentials are expired or malformed. */
        EXPIRED_TOKEN,
        /** No credentials could be found at all (environment, profile, default chain). */
        MISSING
    }

    private final Reason reason;

    public InvalidCredentialsException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
