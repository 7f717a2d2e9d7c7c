package dev.stowage.server;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.server.config.GatewayConfig;
import dev.stowage.server.lifecycle.Service;
import java.util.List;

/**
 * Creates the protocol front ends (iSCSI, NFS, ...) once the configuration is valid and the bucket
 * check has passed. They start after the health endpoint, in list order, and stop first.
 */
@FunctionalInterface
public interface FrontEnds {

    /** No front ends (the current state of the product). */
    FrontEnds NONE = (config, store) -> List.of();

    List<Service> create(GatewayConfig config, ObjectStore store);
}
