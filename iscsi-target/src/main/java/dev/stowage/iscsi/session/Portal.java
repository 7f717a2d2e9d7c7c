package dev.stowage.iscsi.session;

import dev.stowage.iscsi.login.LoginTarget;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What sessions need from the server that accepted their connections. Implementations are
 * thread-safe.
 */
public interface Portal {

    /** Targets visible to {@code initiatorName} (SendTargets), in a stable order. */
    List<LoginTarget> targetsFor(String initiatorName);

    /** Our portal group tag. */
    int portalGroupTag();

    /** Runs SCSI commands (blocking calls are fine: virtual threads). */
    Executor workers();

    /** Largest write (ExpectedDataTransferLength) buffered for one command. */
    int maxWriteLength();

    /** Bytes of write data one connection may hold in memory at once. */
    long writeBudget();

    /** The address initiators reach this portal at, when the listener is bound to a wildcard. */
    default InetSocketAddress advertisedAddress(InetSocketAddress local) {
        return local;
    }
}
