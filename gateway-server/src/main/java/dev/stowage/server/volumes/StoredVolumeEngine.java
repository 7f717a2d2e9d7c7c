package dev.stowage.server.volumes;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.stored.StoredVolume;
import dev.stowage.cache.stored.StoredVolumes;
import dev.stowage.server.config.IscsiSettings;
import dev.stowage.server.stored.StoredVolumeService;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stored volumes: the volumes of the {@link StoredVolumeService}. Snapshots are taken by
 * {@link StoredVolumes#snapshot}; a new stored volume is restored from a snapshot into the file the
 * request names (a clone of a stored volume is not offered: restore its latest snapshot instead).
 *
 * <p>Thread-safe (the manager is); every call before the service started or after it stopped is a
 * {@link VolumeException} (unavailable).
 */
public final class StoredVolumeEngine implements VolumeEngine {

    private final StoredVolumeService service;
    private final List<IscsiSettings.Lun> luns;
    private final int chunkSize;

    /**
     * @param service   the stored-volume service
     * @param luns      the stored LUNs of the configuration
     * @param chunkSize {@code cache.chunk_size} (stored volumes snapshot in the cache's chunk size)
     */
    public StoredVolumeEngine(StoredVolumeService service, List<IscsiSettings.Lun> luns, int chunkSize) {
        this.service = service;
        this.luns = List.copyOf(luns);
        this.chunkSize = chunkSize;
    }

    @Override
    public VolumeType type() {
        return VolumeType.STORED;
    }

    @Override
    public List<VolumeInfo> exported() {
        return luns.stream().map(l -> new VolumeInfo(l.volume(), VolumeType.STORED, l.sizeBytes(), l.blockSize(), chunkSize))
                .toList();
    }

    @Override
    public boolean holds(String volumeId) {
        StoredVolumes m = service.volumes();
        return m != null && m.volumeIds().contains(volumeId);
    }

    @Override
    public Snapshot snapshot(String volumeId, String description, Duration timeout) throws IOException, InterruptedException {
        StoredVolumes m = manager();
        if (!m.volumeIds().contains(volumeId)) {
            throw VolumeException.notFound("volume " + volumeId + " is not on this gateway");
        }
        return m.snapshot(volumeId, description, timeout);
    }

    @Override
    public VolumeInfo create(NewVolume request, Snapshot snapshot) throws IOException {
        if (snapshot == null) {
            throw VolumeException.invalid("stored volumes are made from snapshots; take a snapshot of "
                    + request.sourceVolumeId() + " and create the volume from it");
        }
        if (request.path() == null) {
            throw VolumeException.invalid("a stored volume needs \"path\": the new local file its data is restored into");
        }
        StoredVolume v;
        try {
            v = manager().createFromSnapshot(request.id(), snapshot.id(), request.path(), request.blockSize());
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).endsWith("already exists")) {
                throw VolumeException.conflict(e.getMessage());
            }
            throw VolumeException.invalid(e.getMessage());
        }
        return new VolumeInfo(request.id(), VolumeType.STORED, v.sizeBytes(), v.blockSize(), v.chunkSize());
    }

    @Override
    public Map<String, Object> metrics(String volumeId) {
        StoredVolumes m = service.volumes();
        StoredVolume v = m == null ? null : m.volume(volumeId);
        if (v == null) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", v.path().toString());
        out.put("chunks_changed_since_last_snapshot", v.changedChunks());
        Snapshot last = v.lastSnapshot();
        if (last != null) {
            out.put("last_snapshot", last.id());
            out.put("last_snapshot_created", last.created().toString());
        }
        var health = m.health(volumeId); // CONFLICT: another gateway wrote the volume, see docs/stored-volumes.md
        out.put("writer_status", health.status().name().toLowerCase(java.util.Locale.ROOT));
        if (!health.detail().isEmpty()) {
            out.put("writer_status_detail", health.detail());
        }
        return out;
    }

    private StoredVolumes manager() {
        StoredVolumes m = service.volumes();
        if (m == null) {
            throw VolumeException.unavailable("the stored volumes are not open (the gateway is starting or stopping)", null);
        }
        return m;
    }
}
