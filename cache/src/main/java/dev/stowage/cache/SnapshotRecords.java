package dev.stowage.cache;

import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The snapshot records of a bucket ({@code snapshots/<id>}, format in docs/s3-layout.md), for every
 * kind of volume: cached volumes ({@link Snapshots}) and stored volumes write, list and delete them
 * here, so a snapshot of either kind can be listed, deleted and turned into a volume of either kind.
 *
 * <p><b>Threading:</b> stateless and thread-safe. <b>Errors:</b> bad ids are
 * {@link IllegalArgumentException}; an unknown snapshot is {@link NotFoundException}; bucket
 * failures are the store's {@link dev.stowage.core.store.ObjectStoreException}s.
 */
public final class SnapshotRecords {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SnapshotRecords.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SnapshotRecords() {
    }

    /** A fresh random snapshot id ({@code snap-} and 16 hex digits). */
    public static String newId() {
        return "snap-" + HexFormat.of().toHexDigits(RANDOM.nextLong());
    }

    /** Writes the record of {@code s} to the bucket. */
    public static void put(ObjectStore bucket, Snapshot s) {
        bucket.put(Snapshot.objectKey(s.id()), s.encode(), PutOptions.DEFAULT);
    }

    /** The snapshot record {@code snapshotId}; {@link NotFoundException} when there is none. */
    public static Snapshot get(ObjectStore bucket, String snapshotId) {
        String key = Snapshot.objectKey(snapshotId);
        return Snapshot.decode(bucket.get(key), key);
    }

    /** Snapshots of {@code volumeId} in the bucket, oldest first; objects that are not snapshot records are skipped (logged). */
    public static List<Snapshot> list(ObjectStore bucket, String volumeId) {
        VolumeHead.checkVolumeId(volumeId);
        List<Snapshot> out = new ArrayList<>();
        for (ObjectInfo info : bucket.listAll(Snapshot.PREFIX)) {
            byte[] data;
            try {
                data = bucket.get(info.key());
            } catch (NotFoundException e) {
                continue; // deleted meanwhile
            }
            Snapshot s;
            try {
                s = Snapshot.decode(data, info.key());
            } catch (IllegalArgumentException e) {
                log.warn("skipping {} while listing snapshots: {}", info.key(), e.getMessage());
                continue;
            }
            if (s.volumeId().equals(volumeId)) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(Snapshot::created).thenComparing(Snapshot::id));
        return out;
    }

    /**
     * Deletes the snapshot record and returns what it held (its chunks stay until space reclaim runs);
     * {@link IllegalStateException} when the bucket refused the delete.
     */
    public static Snapshot delete(ObjectStore bucket, String snapshotId) {
        Snapshot s = get(bucket, snapshotId); // NotFoundException for an unknown id
        var result = bucket.delete(List.of(Snapshot.objectKey(snapshotId)));
        if (!result.failed().isEmpty()) {
            throw new IllegalStateException("cannot delete snapshot " + snapshotId + ": " + result.failed());
        }
        return s;
    }
}
