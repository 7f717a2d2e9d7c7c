package dev.stowage.server.volumes;

import dev.stowage.cache.Snapshot;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot records in the bucket ({@code snapshots/<id>}, docs/s3-layout.md), whichever engine
 * took them: listed by volume, read, deleted. Stateless apart from the store; thread-safe.
 *
 * <p><b>Errors:</b> an unknown or malformed snapshot id is {@link VolumeException} (not found,
 * invalid); bucket failures are the store's {@link dev.stowage.core.store.ObjectStoreException}s.
 */
public final class SnapshotRecords {

    private static final Logger log = LoggerFactory.getLogger(SnapshotRecords.class);

    private final ObjectStore bucket;

    public SnapshotRecords(ObjectStore bucket) {
        this.bucket = bucket;
    }

    /** Snapshots of {@code volumeId}, oldest first; objects that are not snapshot records are skipped (logged). */
    public List<Snapshot> list(String volumeId) {
        List<Snapshot> out = new ArrayList<>();
        for (ObjectInfo info : bucket.listAll(Snapshot.PREFIX)) {
            byte[] data;
            try {
                data = bucket.get(info.key());
            } catch (NotFoundException e) {
                continue; // deleted meanwhile
            }
            try {
                Snapshot s = Snapshot.decode(data, info.key());
                if (s.volumeId().equals(volumeId)) {
                    out.add(s);
                }
            } catch (IllegalArgumentException e) {
                log.warn("skipping {} while listing snapshots: {}", info.key(), e.getMessage());
            }
        }
        out.sort(Comparator.comparing(Snapshot::created).thenComparing(Snapshot::id));
        return out;
    }

    /** The record of {@code snapshotId}. */
    public Snapshot get(String snapshotId) {
        String key = key(snapshotId);
        try {
            return Snapshot.decode(bucket.get(key), key);
        } catch (NotFoundException e) {
            throw VolumeException.notFound("snapshot " + snapshotId + " does not exist");
        } catch (IllegalArgumentException e) {
            throw VolumeException.conflict(e.getMessage());
        }
    }

    /** Deletes the record of {@code snapshotId} (its chunks stay until space reclaim); returns what was deleted. */
    public Snapshot delete(String snapshotId) {
        Snapshot s = get(snapshotId);
        DeleteResult result = bucket.delete(List.of(key(snapshotId)));
        if (!result.failed().isEmpty()) {
            throw VolumeException.unavailable("cannot delete snapshot " + snapshotId + ": " + result.failed(), null);
        }
        return s;
    }

    private static String key(String snapshotId) {
        try {
            return Snapshot.objectKey(snapshotId);
        } catch (IllegalArgumentException e) {
            throw VolumeException.invalid(e.getMessage());
        }
    }
}
