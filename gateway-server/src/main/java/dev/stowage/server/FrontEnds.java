package dev.stowage.server;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.config.GatewayConfig;
import dev.stowage.server.config.IscsiSettings;
import dev.stowage.server.iscsi.IscsiService;
import dev.stowage.server.lifecycle.Service;
import dev.stowage.server.stored.StoredVolumeService;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the protocol front ends (iSCSI, NFS, ...) once the configuration is valid and the bucket
 * check has passed; the write-back cache (when configured) comes first, as the iSCSI LUNs of
 * {@code type: cached} are its volumes, then the stored volumes ({@code type: stored}, sharing its chunk store). They start after the health endpoint, in list order, and stop first.
 */
@FunctionalInterface
public interface FrontEnds {

    /** No front ends (tests of the start-up sequence). */
    FrontEnds NONE = (config, store) -> List.of();

    /** The front ends the configuration asks for: iSCSI when there is an {@code iscsi} section. */
    FrontEnds CONFIGURED = (config, store) -> {
        List<Service> out = new ArrayList<>();
        CacheService cache = null;
        if (config.cache() != null) {
            List<IscsiSettings.Lun> cached = config.iscsi() == null ? List.of() : config.iscsi().targets().stream()
                    .flatMap(t -> t.luns().stream()).filter(l -> l.type() == IscsiSettings.LunType.CACHED).toList();
            cache = new CacheService(config.cache(), store, cached);
            out.add(cache); // before the front ends that use its volumes: starts first, stops after them
        }
        StoredVolumeService stored = null;
        List<IscsiSettings.Lun> storedLuns = config.iscsi() == null ? List.of() : config.iscsi().targets().stream()
                .flatMap(t -> t.luns().stream()).filter(l -> l.type() == IscsiSettings.LunType.STORED).toList();
        if (cache != null && !storedLuns.isEmpty()) {
            stored = new StoredVolumeService(StoredVolumeService.stateDir(config.dataDir()), cache, store, storedLuns);
            out.add(stored); // after the cache (its chunk store), before iSCSI
        }
        if (config.iscsi() != null) {
            out.add(new IscsiService(config.iscsi(), Daemon.DEMO_SOURCE.equals(config.source())
                    ? "set " + Daemon.DEMO_ISCSI_PORT_ENV + " to another port (0 picks a free one)"
                    : "change iscsi.listen (or STOWAGE_ISCSI_LISTEN)", cache, stored));
        }
        return out;
    };

    List<Service> create(GatewayConfig config, ObjectStore store);
}
