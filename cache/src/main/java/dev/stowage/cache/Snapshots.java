package dev.stowage.cache;

import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.store.NotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Snapshots and clones of the volumes of a {@link CachePool}. A snapshot is the volume's content
 * at one instant (the cut, see {@link SnapshotCut}): a manifest root of its own made of the
 * committed root at the cut plus the versions of the chunks not yet committed then (copy-on-write:
 * everything else is shared with the volume); a new volume can start from a snapshot or from
 * another volume's latest recovery point.
 * Snapshot records live in the bucket under {@code snapshots/<id>}, so a gateway with an empty
 * cache sees them.
 *
 * <p><b>Threading:</b> thread-safe; {@link #snapshot} blocks its caller while the uploader works.
 *
 * <p><b>Errors:</b> bad ids or unknown volumes and snapshots are {@link IllegalArgumentException}
 * or {@link NotFoundException} with a one-line message; bucket failures are the store's
 * {@link dev.stowage.core.store.ObjectStoreException}s; a snapshot that cannot finish uploading
 * in time is an {@link IOException} saying how much was left.
 *
 * <p>Deleting a snapshot removes its record, then asks space reclaim (when one is attached,
 * {@link #reclaimAfterDelete}) for a background run that deletes the chunks only it referenced.
 */
public final class Snapshots implements SnapshotTaker {

    private final CachePool pool;
    private volatile Runnable reclaim;

    Snapshots(CachePool pool) {
        this.pool = pool;
    }

    /**
     * What {@link #deleteSnapshot} calls after deleting a record to free its chunks: typically
     * {@code dev.stowage.cache.reclaim.Reclaimer#requestReclaim} (set by {@code Reclaimer.attach}).
     * It must not block. Null (the default) leaves the chunks until a reclaim runs.
     */
    public void reclaimAfterDelete(Runnable requestReclaim) {
        this.reclaim = requestReclaim;
    }

    /**
     * Takes a point-in-time snapshot of {@code volumeId}: {@link #cut} now, then
     * {@link SnapshotCut#complete}. The snapshot holds exactly the writes completed before the
     * call and none that start after it; writers are held off only while the cut is taken. When a
     * snapshot of the volume is already being taken, waits for it first (within {@code timeout}).
     *
     * @param timeout how long the whole snapshot may take (a bucket outage makes this fail, not hang)
     * @throws IllegalArgumentException when this cache does not hold the volume
     * @throws IOException              when it could not finish within {@code timeout}; nothing is recorded
     */
    @Override
    public Snapshot snapshot(String volumeId, String description, Duration timeout)
            throws IOException, InterruptedException {
        Snapshot.checkDescription(description);
        PoolVolume v = localVolume(volumeId);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!pool.cuts.awaitIdle(v.number, deadline - System.nanoTime())) {
                throw new IOException("snapshot of volume " + volumeId + " gave up after " + timeout
                        + ": another snapshot of it is still being taken");
            }
            SnapshotCut cut;
            try {
                cut = SnapshotCut.take(pool, v, description);
            } catch (IllegalStateException e) {
                if (pool.isClosed()) {
                    throw new IOException("snapshot of volume " + volumeId + ": the cache is closed", e);
                }
                continue; // another snapshot started meanwhile
            }
            try (cut) {
                return cut.complete(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
    }

    /**
     * Takes the cut of a point-in-time snapshot of {@code volumeId} now and returns at once
     * (nothing is uploaded yet): the snapshot will hold exactly the writes completed before this
     * call and none that start after it. Finish it with {@link SnapshotCut#complete}, or
     * {@link SnapshotCut#close} it to abandon it. Cost: one pass over the pool's index while
     * writers are held off (the pool's state lock).
     *
     * @throws IllegalArgumentException when this cache does not hold the volume
     * @throws IllegalStateException    when a snapshot of the volume is being taken already, or the cache is closed
     */
    public SnapshotCut cut(String volumeId, String description) {
        Snapshot.checkDescription(description);
        return SnapshotCut.take(pool, localVolume(volumeId), description);
    }

    /** Snapshots of {@code volumeId} in the bucket, oldest first; objects that are not snapshot records are skipped (logged). */
    public List<Snapshot> listSnapshots(String volumeId) {
        return SnapshotRecords.list(pool.bucket, volumeId);
    }

    /** The snapshot record {@code snapshotId}; {@link NotFoundException} when there is none. */
    public Snapshot get(String snapshotId) {
        return SnapshotRecords.get(pool.bucket, snapshotId);
    }

    /**
     * Deletes the snapshot record, then requests a background space reclaim (if one is attached,
     * see {@link #reclaimAfterDelete}) that deletes the chunks no other volume or snapshot
     * references. Returns once the record is deleted; the space is freed by the reclaim run.
     */
    public void deleteSnapshot(String snapshotId) {
        SnapshotRecords.delete(pool.bucket, snapshotId);
        Runnable r = reclaim;
        if (r != null) {
            r.run();
        }
    }

    /** A new volume {@code newVolumeId} whose content is the snapshot's; open it with {@link CachePool#openVolume}. */
    public void createVolumeFromSnapshot(String newVolumeId, String snapshotId) throws IOException {
        pool.references.readLock().lock(); // adopts a root: see CachePool#references
        try {
            Snapshot s = get(snapshotId);
            VolumeManifest m = pool.manifests.loadRoot(s.root());
            pool.createFromManifest(newVolumeId, m);
        } finally {
            pool.references.readLock().unlock();
        }
    }

    /**
     * A new volume {@code newVolumeId} starting from {@code sourceVolumeId}'s latest recovery point
     * (writes not yet committed there are not in the clone).
     */
    public void cloneVolume(String newVolumeId, String sourceVolumeId) throws IOException {
        VolumeHead.checkVolumeId(sourceVolumeId);
        pool.references.readLock().lock(); // adopts a root: see CachePool#references
        try {
            PoolVolume v = pool.volume(sourceVolumeId);
            VolumeHead head;
            if (v != null) {
                head = v.head;
            } else {
                String key = VolumeHead.objectKey(sourceVolumeId);
                head = VolumeHead.decode(pool.bucket.get(key), key);
            }
            pool.createFromManifest(newVolumeId, pool.manifests.loadRoot(head.root()));
        } finally {
            pool.references.readLock().unlock();
        }
    }

    private PoolVolume localVolume(String volumeId) {
        VolumeHead.checkVolumeId(volumeId);
        PoolVolume v = pool.volume(volumeId);
        if (v == null) {
            throw new IllegalArgumentException("volume " + volumeId + " is not open in this cache");
        }
        return v;
    }
}
