package dev.stowage.server.admin;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.config.GatewayConfig;
import dev.stowage.server.config.IscsiSettings;
import dev.stowage.server.config.SnapshotScheduleConfig;
import dev.stowage.server.health.HealthServer;
import dev.stowage.server.lifecycle.Service;
import dev.stowage.server.stored.StoredVolumeService;
import dev.stowage.server.volumes.CachedVolumeEngine;
import dev.stowage.server.volumes.StoredVolumeEngine;
import dev.stowage.server.volumes.VolumeEngine;
import dev.stowage.server.volumes.VolumeService;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles the volume catalog, the snapshot schedules and the admin API from the configuration
 * and the front ends already created: one {@link VolumeEngine} per volume service found among them
 * (the cache service gives {@link CachedVolumeEngine}, the stored-volume service
 * {@link StoredVolumeEngine}). Stateless.
 */
public final class AdminServices {

    private AdminServices() {
    }

    /** The services to start after the front ends: the volume service, then the admin API. */
    public static List<Service> create(GatewayConfig config, ObjectStore store, List<Service> frontEnds,
                                       HealthServer health, InstantSource clock) {
        List<IscsiSettings.Lun> luns = config.iscsi() == null ? List.of()
                : config.iscsi().targets().stream().flatMap(t -> t.luns().stream()).toList();
        List<VolumeEngine> engines = new ArrayList<>();
        for (Service s : frontEnds) {
            if (s instanceof CacheService cache && config.cache() != null) {
                engines.add(new CachedVolumeEngine(cache,
                        luns.stream().filter(l -> l.type() == IscsiSettings.LunType.CACHED).toList(),
                        config.cache().chunkSize()));
            }
            if (s instanceof StoredVolumeService stored && config.cache() != null) {
                engines.add(new StoredVolumeEngine(stored,
                        luns.stream().filter(l -> l.type() == IscsiSettings.LunType.STORED).toList(),
                        config.cache().chunkSize()));
            }
        }
        Map<String, SnapshotScheduleConfig> schedules = new LinkedHashMap<>();
        for (IscsiSettings.Lun l : luns) {
            if (l.snapshotSchedule() != null && l.volume() != null) {
                schedules.put(l.volume(), l.snapshotSchedule());
            }
        }
        VolumeService volumes = new VolumeService(config.dataDir(), store, engines, schedules, clock, true);
        for (Service s : frontEnds) {
            if (s instanceof CacheService cache) {
                // deleting a snapshot (by the API or by retention) frees the chunks only it referenced
                volumes.volumes().onSnapshotDeleted(snapshot -> {
                    var reclaimer = cache.reclaimer();
                    if (reclaimer != null) {
                        reclaimer.requestReclaim();
                    }
                });
            }
        }
        return List.of(volumes, new AdminService(health, volumes, config.dataDir()));
    }
}
