package dev.stowage.server.lifecycle;

/**
 * Something the appliance runs: the embedded S3 store, the health endpoint, and the protocol front
 * ends (iSCSI, NFS) as they are added. The {@link Appliance} calls {@link #start()} and
 * {@link #stop()} from one thread, in order; a service never sees them concurrently.
 *
 * <p>Errors: {@code start()} throws when the service cannot run (port taken, bad state on disk);
 * the appliance then stops the services already started and gives up. {@code stop()} must release
 * everything it can and not throw for ordinary shutdown problems (log them instead).
 */
public interface Service {

    /** Short name for logs, e.g. "health" or "iscsi". */
    String name();

    /** Starts serving; returns once the service accepts work. */
    void start() throws Exception;

    /** Stops serving and releases resources; waits for in-flight work the service promises to finish. */
    void stop();

    /** One line for the start-up banner (where to connect), or null for nothing. */
    default String describe() {
        return null;
    }
}
