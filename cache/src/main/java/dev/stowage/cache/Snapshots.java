package dev.stowage.cache;

import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.store.NotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Snapshots and clones of the volumes of a {@link CachePool}. A snapshot keeps a committed
 * manifest root (copy-on-write: no data is copied, the root shares every page and chunk with the
 * volume); a new volume can start from a snapshot or from another volume's latest recovery point.
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
     * Uploads and commits everything of {@code volumeId} that is dirty now, then records the
     * volume's committed root as a snapshot. Writes that arrive meanwhile may or may not be in it.
     *
     * @param timeout how long to wait for the uploads (a bucket outage makes this fail, not hang)
     * @throws IllegalArgumentException when this cache does not hold the volume
     * @throws IOException              when the uploads did not finish within {@code timeout}
     */
    @Override
    public Snapshot snapshot(String volumeId, String description, Duration timeout)
            throws IOException, InterruptedException {
        Snapshot.checkDescription(description);
        PoolVolume v = localVolume(volumeId);
        Set<ChunkKey> waitFor = new HashSet<>();
        for (Map.Entry<ChunkKey, Entry> me : pool.index.entrySet()) {
            if (me.getKey().volume() == v.number && !settled(me.getValue())) {
                waitFor.add(me.getKey());
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        VolumeHead head;
        while (true) {
            pool.stateLock.readLock().lock();
            try {
                waitFor.removeIf(k -> settled(pool.index.get(k)));
                head = v.head;
            } finally {
                pool.stateLock.readLock().unlock();
            }
            if (waitFor.isEmpty()) {
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("snapshot of volume " + volumeId + " gave up after " + timeout + ": "
                        + waitFor.size() + " chunks are not uploaded yet (is the bucket reachable?)");
            }
            pool.drain(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
        }
        pool.references.readLock().lock(); // adopts a root: see CachePool#references
        try {
            head = v.head; // the newest committed root holds at least everything waited for
            if (pool.collectingAdoptions) {
                pool.adoptedRoots.add(head.root()); // space reclaim may have listed the snapshots already
            }
            Snapshot s = new Snapshot(SnapshotRecords.newId(), volumeId, head.root(), head.generation(), v.size,
                    pool.settings.clock().instant(), description);
            SnapshotRecords.put(pool.bucket, s);
            return s;
        } finally {
            pool.references.readLock().unlock();
        }
    }

    /** True when the entry's data is in the committed recovery point (or it is gone: evicted after a commit). */
    private static boolean settled(Entry e) {
        if (e == null) {
            return true;
        }
        e.lock.lock();
        try {
            return e.removed ? false : !e.pendingUpload();
        } finally {
            e.lock.unlock();
        }
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
