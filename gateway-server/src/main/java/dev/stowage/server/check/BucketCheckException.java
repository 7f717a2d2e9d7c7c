package dev.stowage.server.check;

/**
 * The bucket cannot be used. {@link #getMessage()} is one line for the operator:
 * {@code S3 check failed for bucket X at endpoint Y: <what happened>; <what to do>}.
 */
public final class BucketCheckException extends Exception {

    /** The problems operators meet most, so callers (and tests) can branch without parsing text. */
    public enum Kind {
        ACCESS_DENIED, NO_SUCH_BUCKET, UNKNOWN_ACCESS_KEY, SIGNATURE_MISMATCH, EXPIRED_TOKEN, MISSING_CREDENTIALS,
        WRONG_REGION, CLOCK_SKEW, UNREACHABLE, THROTTLED, PROBE_MISMATCH, OTHER
    }

    private final Kind kind;

    public BucketCheckException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
