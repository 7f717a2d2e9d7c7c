package dev.stowage.server.volumes;

/**
 * A volume or snapshot operation that cannot be done, with a one-line message for the operator and
 * a {@link Reason} the admin API maps to an HTTP status (400, 404, 409, 503).
 */
public final class VolumeException extends RuntimeException {

    /** Why the operation failed. */
    public enum Reason {
        /** Bad input: malformed id, description too long, missing field. */
        INVALID,
        /** No such volume or snapshot. */
        NOT_FOUND,
        /** The request clashes with what exists (id taken, volume not on this gateway). */
        CONFLICT,
        /** The bucket (or an engine) cannot be reached now; trying later may work. */
        UNAVAILABLE
    }

    private final Reason reason;

    public VolumeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static VolumeException invalid(String message) {
        return new VolumeException(Reason.INVALID, message, null);
    }

    public static VolumeException notFound(String message) {
        return new VolumeException(Reason.NOT_FOUND, message, null);
    }

    public static VolumeException conflict(String message) {
        return new VolumeException(Reason.CONFLICT, message, null);
    }

    public static VolumeException unavailable(String message, Throwable cause) {
        return new VolumeException(Reason.UNAVAILABLE, message, cause);
    }
}
