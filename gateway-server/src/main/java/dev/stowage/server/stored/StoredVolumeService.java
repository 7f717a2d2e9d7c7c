package dev.stowage.server.stored;

import dev.stowage.cache.stored.Bucket;
import dev.stowage.cache.stored.StoredVolume;
import dev.stowage.cache.stored.StoredVolumeSettings;
import dev.stowage.cache.stored.StoredVolumes;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.config.IscsiSettings;
import dev.stowage.server.lifecycle.Service;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored volumes the configuration exports ({@code type: stored} LUNs): at start it opens each
 * one (creating its data file sparse, or taking over an existing file with
 * {@code preserve_existing_data}) through a {@link StoredVolumes} manager whose change tracking
 * lives in {@code <data_dir>/stored}. Snapshots go through the cache's chunk store (same chunk
 * size, chunk-id key and encryption), so their snapshots and cached volumes' are interchangeable.
 * {@link #volumes()} is the manager the admin API and the daemon's snapshot schedules
 * ({@code snapshot_schedule}) use to take and list snapshots.
 *
 * <p>{@link #stop()} waits for a running snapshot and closes every volume (flushing its file).
 * The iSCSI service, which uses the volumes, starts after this service and stops before it.
 *
 * <p>Errors at start are an {@link IOException} with one line saying what to fix (a data file of
 * another size, an existing file not yet a stored volume, a volume id already used in the bucket).
 * Threading: start/stop from one thread; {@link #volume} and {@link #volumes} from any thread.
 */
public final class StoredVolumeService implements Service {

    private static final Logger log = LoggerFactory.getLogger(StoredVolumeService.class);

    private final Path stateDir;
    private final CacheService cache;
    private final ObjectStore store;
    private final List<IscsiSettings.Lun> luns;
    private StoredVolumes manager;

    /** Where stored volumes keep their change tracking: {@code <data_dir>/stored}. */
    public static Path stateDir(Path dataDir) {
        return dataDir.resolve("stored");
    }

    /**
     * @param cache the cache service (started first): its chunk store, manifest store and chunk size are used
     * @param luns  the stored LUNs to open
     */
    public StoredVolumeService(Path stateDir, CacheService cache, ObjectStore store, List<IscsiSettings.Lun> luns) {
        this.stateDir = stateDir;
        this.cache = cache;
        this.store = store;
        this.luns = List.copyOf(luns);
    }

    @Override
    public String name() {
        return "stored-volumes";
    }

    @Override
    public synchronized void start() throws IOException {
        if (manager != null) {
            throw new IllegalStateException("already started");
        }
        if (cache.chunks() == null) {
            throw new IllegalStateException("the cache service must start before the stored volumes");
        }
        StoredVolumeSettings settings = StoredVolumeSettings.defaults().withChunkSize(cache.config().chunkSize())
                .withUploadThreads(cache.config().uploadParallelism());
        StoredVolumes m = new StoredVolumes(stateDir, new Bucket(cache.chunks(), cache.manifests(), store), settings);
        try {
            for (IscsiSettings.Lun lun : luns) {
                try {
                    m.open(lun.volume(), lun.path(), lun.sizeBytes(), lun.blockSize(), lun.preserveExistingData());
                } catch (IllegalArgumentException | ObjectStoreException e) {
                    throw new IOException("cannot open stored volume " + lun.volume() + ": " + e.getMessage(), e);
                } catch (IOException e) {
                    throw e.getMessage() != null && e.getMessage().startsWith("cannot ") ? e
                            : new IOException("cannot open stored volume " + lun.volume() + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        manager = m;
        if (cache.reclaimer() != null) {
            cache.reclaimer().register(m); // chunks of snapshots being uploaded are live
        }
        log.atInfo().addKeyValue("state_dir", stateDir).addKeyValue("volumes", m.volumeIds().size())
                .log("stored volumes open");
    }

    /** The manager (take, list and delete snapshots, restore); null before start and after stop. */
    public synchronized StoredVolumes volumes() {
        return manager;
    }

    /** The open volume {@code id}; null when not started or not exported. */
    public synchronized StoredVolume volume(String id) {
        return manager == null ? null : manager.volume(id);
    }

    @Override
    public synchronized void stop() {
        if (manager == null) {
            return;
        }
        StoredVolumes m = manager;
        manager = null;
        if (cache.reclaimer() != null) {
            cache.reclaimer().unregister(m);
        }
        m.close();
    }

    @Override
    public synchronized String describe() {
        if (manager == null) {
            return null;
        }
        StringBuilder b = new StringBuilder("change tracking in ").append(stateDir);
        for (String id : manager.volumeIds()) {
            StoredVolume v = manager.volume(id);
            if (v != null) {
                b.append("\n").append(id).append(": ").append(v.path()).append(", ").append(v.changedChunks())
                        .append(" chunks changed since the last snapshot");
            }
        }
        return b.toString();
    }
}
