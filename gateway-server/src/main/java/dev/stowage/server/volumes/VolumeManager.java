package dev.stowage.server.volumes;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.VolumeHead;
import dev.stowage.core.store.ObjectStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes and snapshots of this gateway across all {@link VolumeEngine}s: the catalog, on-demand
 * snapshots, volumes from snapshots and clones. The admin API and the snapshot schedules go
 * through it.
 *
 * <p><b>Errors:</b> {@link VolumeException} with a one-line message and a reason (invalid, not
 * found, conflict, unavailable); bucket failures are the store's
 * {@link dev.stowage.core.store.ObjectStoreException}s; a snapshot whose uploads did not finish in
 * time is an {@link IOException}. <b>Threading:</b> thread-safe; volume creation is serialised.
 */
public final class VolumeManager {

    private static final Logger log = LoggerFactory.getLogger(VolumeManager.class);

    private final List<VolumeEngine> engines;
    private final VolumeCatalog catalog;
    private final SnapshotRecords snapshots;
    private final ObjectStore bucket;
    private final InstantSource clock;
    private final Duration snapshotTimeout;
    private final List<Consumer<Snapshot>> deleteListeners = new CopyOnWriteArrayList<>();

    /**
     * @param engines         one per volume type this gateway runs
     * @param snapshotTimeout how long an on-demand snapshot may wait for its uploads
     */
    public VolumeManager(List<VolumeEngine> engines, VolumeCatalog catalog, ObjectStore bucket, InstantSource clock,
                         Duration snapshotTimeout) {
        this.engines = List.copyOf(engines);
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.snapshots = new SnapshotRecords(bucket);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snapshotTimeout = Objects.requireNonNull(snapshotTimeout, "snapshotTimeout");
    }

    public VolumeCatalog catalog() {
        return catalog;
    }

    public List<VolumeEngine> engines() {
        return engines;
    }

    /** Called after each snapshot deletion (e.g. to start space reclaim); listeners must not throw. */
    public void onSnapshotDeleted(Consumer<Snapshot> listener) {
        deleteListeners.add(listener);
    }

    /**
     * Reads the local catalog and brings it up to date at start: a record for every volume the configuration exports
     * (created when missing, updated when its facts changed) in state available, and state
     * not-exported for the other records; then mirrors every record into the bucket again.
     */
    public void recordExported() throws IOException {
        catalog.load();
        Set<String> exported = new java.util.HashSet<>();
        for (VolumeEngine e : engines) {
            for (VolumeInfo i : e.exported()) {
                exported.add(i.id());
                Optional<VolumeRecord> old = catalog.get(i.id());
                Instant now = clock.instant();
                VolumeRecord r = old.map(o -> o.withFacts(i, VolumeState.AVAILABLE, now))
                        .orElseGet(() -> new VolumeRecord(i.id(), i.type(), i.sizeBytes(), i.blockSize(), i.chunkSize(),
                                now, null, null, VolumeState.AVAILABLE, now));
                if (!r.sameAs(old.orElse(null))) {
                    catalog.put(r);
                    log.atInfo().addKeyValue("volume", i.id()).log(old.isEmpty() ? "volume added to the catalog" : "catalog record updated");
                }
            }
        }
        for (VolumeRecord r : catalog.list()) {
            if (!exported.contains(r.id()) && r.state() == VolumeState.AVAILABLE) {
                catalog.put(r.withState(VolumeState.NOT_EXPORTED, clock.instant()));
            }
        }
        catalog.mirrorAll();
    }

    /** The catalog's records of this gateway. */
    public List<VolumeRecord> volumes() {
        return catalog.list();
    }

    /** The record of {@code id}. */
    public VolumeRecord volume(String id) {
        checkId(id);
        return catalog.get(id).orElseThrow(() -> VolumeException.notFound("volume " + id + " is not in this gateway's catalog"));
    }

    /** The engine holding {@code id} on this gateway, or empty. */
    public Optional<VolumeEngine> engineOf(String id) {
        return engines.stream().filter(e -> e.holds(id)).findFirst();
    }

    /** Takes a snapshot of {@code volumeId} now (blocks while its data is uploaded). */
    public Snapshot snapshot(String volumeId, String description) throws IOException, InterruptedException {
        return snapshot(volumeId, description, snapshotTimeout);
    }

    /** Takes a snapshot of {@code volumeId}, waiting at most {@code timeout} for its uploads. */
    public Snapshot snapshot(String volumeId, String description, Duration timeout) throws IOException, InterruptedException {
        checkId(volumeId);
        String d = description == null ? "" : description;
        if (d.length() > 1024) {
            throw VolumeException.invalid("the description is " + d.length() + " characters long; use at most 1024");
        }
        VolumeEngine e = engineOf(volumeId).orElseThrow(() -> notHere(volumeId));
        Snapshot s = e.snapshot(volumeId, d, timeout);
        log.atInfo().addKeyValue("volume", volumeId).addKeyValue("snapshot", s.id()).log("snapshot taken");
        return s;
    }

    /** Snapshots of {@code volumeId} in the bucket, oldest first. */
    public List<Snapshot> snapshots(String volumeId) {
        checkId(volumeId);
        if (catalog.get(volumeId).isEmpty() && engineOf(volumeId).isEmpty()
                && bucket.find(VolumeHead.objectKey(volumeId)).isEmpty()) {
            throw VolumeException.notFound("volume " + volumeId + " does not exist");
        }
        return snapshots.list(volumeId);
    }

    /** The snapshot record {@code snapshotId}. */
    public Snapshot snapshotRecord(String snapshotId) {
        return snapshots.get(snapshotId);
    }

    /** Deletes a snapshot record (its data stays until space reclaim) and tells the listeners. */
    public Snapshot deleteSnapshot(String snapshotId) {
        Snapshot s = snapshots.delete(snapshotId);
        log.atInfo().addKeyValue("volume", s.volumeId()).addKeyValue("snapshot", s.id()).log("snapshot deleted");
        for (Consumer<Snapshot> l : deleteListeners) {
            try {
                l.accept(s);
            } catch (RuntimeException ex) {
                log.atWarn().setCause(ex).log("after deleting snapshot {}: {}", s.id(), ex.getMessage());
            }
        }
        return s;
    }

    /**
     * Creates a volume from a snapshot or as a clone, and records it in the catalog (state
     * not-exported: it is exported once added to the configuration).
     */
    public synchronized VolumeRecord create(NewVolume request) throws IOException {
        checkId(request.id());
        if (catalog.get(request.id()).isPresent() || engineOf(request.id()).isPresent()
                || bucket.find(VolumeHead.objectKey(request.id())).isPresent()) {
            throw VolumeException.conflict("volume " + request.id() + " already exists");
        }
        Snapshot snapshot = null;
        if (request.snapshotId() != null) {
            snapshot = snapshots.get(request.snapshotId());
        } else {
            checkId(request.sourceVolumeId());
            if (catalog.get(request.sourceVolumeId()).isEmpty() && engineOf(request.sourceVolumeId()).isEmpty()
                    && bucket.find(VolumeHead.objectKey(request.sourceVolumeId())).isEmpty()) {
                throw VolumeException.notFound("volume " + request.sourceVolumeId() + " does not exist");
            }
        }
        VolumeEngine engine = engines.stream().filter(e -> e.type() == request.type()).findFirst()
                .orElseThrow(() -> VolumeException.conflict("this gateway runs no " + request.type().text()
                        + " volumes (see docs/configuration.md)"));
        VolumeInfo info = engine.create(request, snapshot);
        Instant now = clock.instant();
        VolumeRecord r = new VolumeRecord(info.id(), info.type(), info.sizeBytes(), info.blockSize(), info.chunkSize(),
                now, request.snapshotId(), request.sourceVolumeId(), VolumeState.NOT_EXPORTED, now);
        catalog.put(r);
        log.atInfo().addKeyValue("volume", r.id()).addKeyValue("from", request.snapshotId() != null
                ? request.snapshotId() : request.sourceVolumeId()).log("volume created");
        return r;
    }

    /** The default type of a new volume: the source's type when the catalog knows it, else the first engine's. */
    public VolumeType defaultType(String sourceVolumeId) {
        if (sourceVolumeId != null) {
            Optional<VolumeRecord> r = catalog.get(sourceVolumeId);
            if (r.isPresent()) {
                return r.get().type();
            }
            Optional<VolumeEngine> e = engineOf(sourceVolumeId);
            if (e.isPresent()) {
                return e.get().type();
            }
        }
        return engines.isEmpty() ? VolumeType.CACHED : engines.getFirst().type();
    }

    /** What the bucket's catalog holds (for a replacement gateway). */
    public VolumeCatalog.BucketView bucketCatalog() {
        return catalog.readBucket();
    }

    private VolumeException notHere(String volumeId) {
        Optional<VolumeRecord> r = catalog.get(volumeId);
        if (r.isPresent() || bucket.find(VolumeHead.objectKey(volumeId)).isPresent()) {
            return VolumeException.conflict("volume " + volumeId + " is not open on this gateway"
                    + (r.isPresent() ? " (state " + r.get().state().text() + ")" : "") + "; add it to the configuration first");
        }
        return VolumeException.notFound("volume " + volumeId + " does not exist");
    }

    static void checkId(String id) {
        try {
            VolumeHead.checkVolumeId(id);
        } catch (IllegalArgumentException e) {
            throw VolumeException.invalid(e.getMessage());
        }
    }
}
