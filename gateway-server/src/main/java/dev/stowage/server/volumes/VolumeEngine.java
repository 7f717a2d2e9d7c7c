package dev.stowage.server.volumes;

import dev.stowage.cache.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One kind of volume (cached, stored) as the catalog, the snapshot schedules and the admin API see
 * it. An engine wraps the service that owns the volumes (e.g. the cache service); it is created
 * with the front ends and used once they have started.
 *
 * <p>Snapshot records are shared by every engine: {@code snapshots/<id>} in the bucket
 * ({@link Snapshot}), so listing and deleting them is not an engine's job; taking them and making
 * volumes from them is.
 *
 * <p><b>Threading:</b> implementations are thread-safe; {@link #snapshot} may block for the time
 * the uploads take (bounded by its timeout). <b>Errors:</b> an unknown volume is
 * {@link VolumeException} (not found), a volume id that exists is {@link VolumeException}
 * (conflict); bucket failures are the store's
 * {@link dev.stowage.core.store.ObjectStoreException}s; a snapshot whose uploads did not finish in
 * time is an {@link IOException}.
 */
public interface VolumeEngine {

    /** The kind of volume this engine holds. */
    VolumeType type();

    /** The volumes this engine exports from the configuration (opened, or created, at start). */
    List<VolumeInfo> exported();

    /** True when this gateway holds {@code volumeId} in this engine (exported, or created through the admin API). */
    boolean holds(String volumeId);

    /** Uploads what the volume has not uploaded yet and records a snapshot of it. */
    Snapshot snapshot(String volumeId, String description, Duration timeout) throws IOException, InterruptedException;

    /**
     * Creates {@code request.id()} from {@code snapshot} (when {@link NewVolume#snapshotId()} is set)
     * or from the latest recovery point of {@link NewVolume#sourceVolumeId()}. The new volume is
     * not exported until it is added to the configuration.
     *
     * @param snapshot the snapshot record, or null for a clone
     */
    VolumeInfo create(NewVolume request, Snapshot snapshot) throws IOException;

    /** Live figures about the volume for the admin API (e.g. cache metrics), in snake_case; empty when none. */
    default Map<String, Object> metrics(String volumeId) {
        return Map.of();
    }
}
