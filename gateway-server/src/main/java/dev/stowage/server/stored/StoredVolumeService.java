package dev.stowage.server.stored;

import dev.stowage.cache.SnapshotScheduler;
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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored volumes the configuration exports ({@code type: stored} LUNs): at start it opens each
 * one (creating its data file sparse, or taking over an existing file with
 * {@code preserve_existing_data}) through a {@link StoredVolumes} manager whose change tracking
 * lives in {@code <data_dir>/stored}. Snapshots go through the cache's chunk store (same chunk
 * size, chunk-id key and encryption), so their snapshots and cached volumes' are interchangeable.
 * {@link #volumes()} is the manager the admin API uses to take and list snapshots. Volumes with
 * {@code snapshot_every} get scheduled snapshots from a {@link SnapshotScheduler} (checked every
 * minute; a failed one is retried after 10 minutes or at the next scheduled time).
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
    /** How long a scheduled snapshot may take (a first snapshot of a large preserved file takes long). */
    static final Duration SCHEDULED_TIMEOUT = Duration.ofHours(24);
    /** Wait after a failed scheduled snapshot before the next try (sooner if the next scheduled time comes first). */
    static final Duration RETRY_DELAY = Duration.ofMinutes(10);

    private final Path stateDir;
    private final CacheService cache;
    private final ObjectStore store;
    private final List<IscsiSettings.Lun> luns;
    private StoredVolumes manager;
    private SnapshotScheduler scheduler;

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
        for (IscsiSettings.Lun lun : luns) {
            if (lun.snapshotSchedule() != null) {
                if (scheduler == null) {
                    scheduler = new SnapshotScheduler(m, Clock.systemDefaultZone(), SCHEDULED_TIMEOUT, RETRY_DELAY);
                }
                scheduler.schedule(lun.volume(), lun.snapshotSchedule(), "scheduled");
            }
        }
        if (scheduler != null) {
            scheduler.start(Duration.ofMinutes(1));
        }
        log.atInfo().addKeyValue("state_dir", stateDir).addKeyValue("volumes", m.volumeIds().size())
                .log("stored volumes open");
    }

    /** The manager (take, list and delete snapshots, restore); null before start and after stop. */
    public synchronized StoredVolumes volumes() {
        return manager;
    }

    /** The scheduler of the volumes with {@code snapshot_every}; null when none has one, or not started. */
    public synchronized SnapshotScheduler scheduler() {
        return scheduler;
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
        if (scheduler != null) {
            scheduler.close(); // a scheduled snapshot in progress is stopped; its changes stay for the next one
            scheduler = null;
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
                if (scheduler != null) {
                    scheduler.nextDue(id).ifPresent(t -> b.append(", next snapshot ").append(t));
                }
            }
        }
        return b.toString();
    }
}
