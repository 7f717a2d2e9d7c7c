package dev.stowage.server.volumes;

import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PutOptions;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's volume catalog: one {@link VolumeRecord} per volume, kept in
 * {@code <data_dir>/catalog/volumes/<id>.json} (the local truth, replaced atomically) and mirrored
 * into the bucket as {@code catalog/volumes/<id>} so that a replacement gateway can see every
 * volume from the bucket alone.
 *
 * <p><b>Errors:</b> a local write that fails throws {@link IOException}; a mirror write that fails
 * (bucket outage) is logged and remembered, and {@link #mirrorPending()} retries it (the volume
 * service calls it periodically). Unreadable local or bucket records are skipped with a warning,
 * never half-read.
 *
 * <p><b>Threading:</b> thread-safe; methods are synchronized (records are small and few).
 */
public final class VolumeCatalog {

    private static final Logger log = LoggerFactory.getLogger(VolumeCatalog.class);
    private static final PutOptions JSON_PUT = PutOptions.builder().contentType("application/json").build();

    private final Path dir;
    private final ObjectStore bucket;
    private final Map<String, VolumeRecord> records = new TreeMap<>();
    private final Set<String> pendingMirror = new LinkedHashSet<>();

    /**
     * An empty catalog; {@link #load()} reads the local records.
     *
     * @param dir    {@code <data_dir>/catalog/volumes}
     * @param bucket the bucket the records are mirrored into
     */
    public VolumeCatalog(Path dir, ObjectStore bucket) {
        this.dir = dir;
        this.bucket = bucket;
    }

    /** (Re)reads the local records from disk. */
    public synchronized void load() throws IOException {
        records.clear();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    try {
                        VolumeRecord r = VolumeRecord.decode(Files.readAllBytes(f), f.toString());
                        records.put(r.id(), r);
                    } catch (IllegalArgumentException e) {
                        log.warn("skipping catalog file: {}", e.getMessage());
                    }
                }
            }
        }
    }

    /** The local record of {@code id}. */
    public synchronized Optional<VolumeRecord> get(String id) {
        return Optional.ofNullable(records.get(id));
    }

    /** Every local record, by id. */
    public synchronized List<VolumeRecord> list() {
        return List.copyOf(records.values());
    }

    /**
     * Writes {@code r} locally (crash-safe) and then into the bucket; a failed bucket write is retried
     * by {@link #mirrorPending()}.
     *
     * @return true when the bucket copy was written too
     */
    public synchronized boolean put(VolumeRecord r) throws IOException {
        AtomicFiles.write(dir.resolve(r.id() + ".json"), r.encode());
        records.put(r.id(), r);
        pendingMirror.add(r.id());
        return mirror(r.id());
    }

    /** Mirrors every local record into the bucket again (at start: the bucket may have been replaced or lost writes). */
    public synchronized void mirrorAll() {
        pendingMirror.addAll(records.keySet());
        mirrorPending();
    }

    /** Retries the bucket writes that failed; returns how many are still pending. */
    public synchronized int mirrorPending() {
        for (String id : List.copyOf(pendingMirror)) {
            if (!mirror(id)) {
                break; // the bucket is failing: try again next time
            }
        }
        return pendingMirror.size();
    }

    /** Records written locally but not yet into the bucket. */
    public synchronized int pendingCount() {
        return pendingMirror.size();
    }

    private boolean mirror(String id) {
        VolumeRecord r = records.get(id);
        try {
            bucket.put(VolumeRecord.objectKey(id), r.encode(), JSON_PUT);
            pendingMirror.remove(id);
            return true;
        } catch (ObjectStoreException e) {
            log.atWarn().addKeyValue("volume", id).log("catalog record not yet copied to the bucket, will retry: {}",
                    e.getMessage());
            return false;
        }
    }

    /** What the bucket knows: the catalog records found there, and volume heads that have no record. */
    public record BucketView(List<VolumeRecord> volumes, List<String> uncataloged, List<String> unreadable) {
    }

    /**
     * Reads the catalog from the bucket alone (what a replacement gateway sees).
     *
     * @throws ObjectStoreException when the bucket cannot be listed or read
     */
    public BucketView readBucket() {
        List<VolumeRecord> found = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        Set<String> cataloged = new TreeSet<>();
        for (ObjectInfo o : bucket.listAll(VolumeRecord.PREFIX)) {
            byte[] data;
            try {
                data = bucket.get(o.key());
            } catch (NotFoundException e) {
                continue; // removed meanwhile
            }
            try {
                VolumeRecord r = VolumeRecord.decode(data, o.key());
                if (!o.key().equals(VolumeRecord.objectKey(r.id()))) {
                    throw new IllegalArgumentException(o.key() + " names volume " + r.id());
                }
                found.add(r);
                cataloged.add(r.id());
            } catch (IllegalArgumentException e) {
                log.warn("skipping bucket catalog entry: {}", e.getMessage());
                unreadable.add(o.key());
            }
        }
        List<String> uncataloged = new ArrayList<>();
        for (ObjectInfo o : bucket.listAll("volumes/")) {
            String k = o.key();
            if (k.endsWith("/head")) {
                String id = k.substring("volumes/".length(), k.length() - "/head".length());
                if (!id.contains("/") && !cataloged.contains(id)) {
                    uncataloged.add(id);
                }
            }
        }
        return new BucketView(found, uncataloged, unreadable);
    }
}
