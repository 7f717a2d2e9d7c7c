package dev.stowage.server.volumes;

import dev.stowage.cache.Snapshot;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStore;
import java.util.List;

/**
 * The snapshot records in the bucket ({@code snapshots/<id>}, docs/s3-layout.md), whichever engine
 * took them: listed by volume, read, deleted, through the cache module's
 * {@link dev.stowage.cache.SnapshotRecords}, with its errors translated to {@link VolumeException}s.
 * Stateless apart from the store; thread-safe.
 *
 * <p><b>Errors:</b> an unknown or malformed snapshot id is {@link VolumeException} (not found,
 * invalid); bucket failures are the store's {@link dev.stowage.core.store.ObjectStoreException}s.
 */
public final class SnapshotRecords {

    private final ObjectStore bucket;

    public SnapshotRecords(ObjectStore bucket) {
        this.bucket = bucket;
    }

    /** Snapshots of {@code volumeId}, oldest first; objects that are not snapshot records are skipped (logged). */
    public List<Snapshot> list(String volumeId) {
        try {
            return dev.stowage.cache.SnapshotRecords.list(bucket, volumeId);
        } catch (IllegalArgumentException e) {
            return List.of(); // not a volume id: no snapshot can name it
        }
    }

    /** The record of {@code snapshotId}. */
    public Snapshot get(String snapshotId) {
        checkId(snapshotId);
        try {
            return dev.stowage.cache.SnapshotRecords.get(bucket, snapshotId);
        } catch (NotFoundException e) {
            throw VolumeException.notFound("snapshot " + snapshotId + " does not exist");
        } catch (IllegalArgumentException e) {
            throw VolumeException.conflict(e.getMessage());
        }
    }

    /** Deletes the record of {@code snapshotId} (its chunks stay until space reclaim); returns what was deleted. */
    public Snapshot delete(String snapshotId) {
        checkId(snapshotId);
        try {
            return dev.stowage.cache.SnapshotRecords.delete(bucket, snapshotId);
        } catch (NotFoundException e) {
            throw VolumeException.notFound("snapshot " + snapshotId + " does not exist");
        } catch (IllegalArgumentException e) {
            throw VolumeException.conflict(e.getMessage());
        } catch (IllegalStateException e) {
            throw VolumeException.unavailable(e.getMessage(), null);
        }
    }

    private static void checkId(String snapshotId) {
        try {
            Snapshot.objectKey(snapshotId);
        } catch (IllegalArgumentException e) {
            throw VolumeException.invalid(e.getMessage());
        }
    }
}
