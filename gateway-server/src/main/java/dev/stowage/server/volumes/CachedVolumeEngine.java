package dev.stowage.server.volumes;

import dev.stowage.cache.CacheMetrics;
import dev.stowage.cache.CachePool;
import dev.stowage.cache.CachedVolume;
import dev.stowage.cache.Snapshot;
import dev.stowage.cache.VolumeHead;
import dev.stowage.core.device.DeviceException;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.config.IscsiSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cached volumes: the volumes of the {@link CacheService}'s pool. Snapshots and new volumes go
 * through {@link CachePool#snapshots()}; metrics come from {@link CachePool#metrics()}.
 *
 * <p>Thread-safe (the pool is); every call after the cache service stopped, or before it started,
 * is a {@link VolumeException} (unavailable).
 */
public final class CachedVolumeEngine implements VolumeEngine {

    private final CacheService cache;
    private final List<IscsiSettings.Lun> luns;
    private final int chunkSize;

    /**
     * @param cache     the running cache service
     * @param luns      the cached LUNs of the configuration
     * @param chunkSize {@code cache.chunk_size}
     */
    public CachedVolumeEngine(CacheService cache, List<IscsiSettings.Lun> luns, int chunkSize) {
        this.cache = cache;
        this.luns = List.copyOf(luns);
        this.chunkSize = chunkSize;
    }

    @Override
    public VolumeType type() {
        return VolumeType.CACHED;
    }

    @Override
    public List<VolumeInfo> exported() {
        return luns.stream().map(l -> new VolumeInfo(l.volume(), VolumeType.CACHED, l.sizeBytes(), l.blockSize(), chunkSize))
                .toList();
    }

    @Override
    public boolean holds(String volumeId) {
        CachePool p = cache.pool();
        return p != null && p.volumeIds().contains(volumeId);
    }

    @Override
    public Snapshot snapshot(String volumeId, String description, Duration timeout) throws IOException, InterruptedException {
        CachePool p = pool();
        if (!p.volumeIds().contains(volumeId)) {
            throw VolumeException.notFound("volume " + volumeId + " is not on this gateway");
        }
        return p.snapshots().snapshot(volumeId, description, timeout);
    }

    @Override
    public VolumeInfo create(NewVolume request, Snapshot snapshot) throws IOException {
        CachePool p = pool();
        try {
            if (snapshot != null) {
                p.snapshots().createVolumeFromSnapshot(request.id(), snapshot.id());
            } else {
                p.snapshots().cloneVolume(request.id(), request.sourceVolumeId());
            }
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).endsWith("already exists")) {
                throw VolumeException.conflict(e.getMessage());
            }
            throw VolumeException.invalid(e.getMessage());
        }
        return new VolumeInfo(request.id(), VolumeType.CACHED, sizeOf(p, request.id()), request.blockSize(), chunkSize);
    }

    @Override
    public Map<String, Object> metrics(String volumeId) {
        CachePool p = cache.pool();
        if (p == null || !p.volumeIds().contains(volumeId)) {
            return Map.of();
        }
        CacheMetrics m = p.metrics();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cache_hit_percent", round(m.cacheHitPercent()));
        out.put("cache_percent_dirty", round(m.cachePercentDirty()));
        out.put("cache_percent_used", round(m.cachePercentUsed()));
        out.put("queued_write_bytes", m.queuedWriteBytes());
        out.put("cloud_bytes_uploaded", m.cloudBytesUploaded());
        out.put("cloud_bytes_downloaded", m.cloudBytesDownloaded());
        out.put("upload_failures", m.uploadFailures());
        out.put("blocked_writers", m.blockedWriters());
        out.put("time_since_last_recovery_point_ms", m.timeSinceLastRecoveryPointMillis(volumeId));
        var health = p.volumeHealth(volumeId); // CONFLICT: another gateway wrote the volume, see docs/cache.md
        out.put("writer_status", health.status().name().toLowerCase(java.util.Locale.ROOT));
        if (health.detail() != null) {
            out.put("writer_status_detail", health.detail());
        }
        VolumeHead head = m.recoveryPoint(volumeId);
        if (head != null) {
            out.put("recovery_point_generation", head.generation());
        }
        out.put("scope", "cache metrics are for the whole cache pool, except time_since_last_recovery_point_ms and "
                + "recovery_point_generation");
        return out;
    }

    private static double round(double percent) {
        return Math.round(percent * 10) / 10.0;
    }

    private CachePool pool() {
        CachePool p = cache.pool();
        if (p == null) {
            throw VolumeException.unavailable("the cache is not open (the gateway is starting or stopping)", null);
        }
        return p;
    }

    private static long sizeOf(CachePool p, String volumeId) throws IOException {
        CachedVolume v = p.openVolume(volumeId, 512);
        long size = v.blockCount() * 512;
        try {
            v.close();
        } catch (DeviceException e) {
            throw new IOException(e.getMessage(), e);
        }
        return size;
    }
}
