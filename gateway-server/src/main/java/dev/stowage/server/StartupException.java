package dev.stowage.server;

/**
 * Start-up stopped for a reason the operator must fix (configuration, bucket, port, data
 * directory in use). The message is one line; {@link #exitCode()} is what the process exits with.
 */
public final class StartupException extends Exception {

    /** Exit code for problems the operator must fix. */
    public static final int EXIT_CONFIG = 2;

    private final int exitCode;

    public StartupException(String message, Throwable cause) {
        this(message, EXIT_CONFIG, cause);
    }

    public StartupException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
