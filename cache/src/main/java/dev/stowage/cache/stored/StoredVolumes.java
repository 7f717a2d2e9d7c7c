package dev.stowage.cache.stored;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.SnapshotRecords;
import dev.stowage.cache.SnapshotTaker;
import dev.stowage.cache.VolumeGuard;
import dev.stowage.cache.VolumeHead;
import dev.stowage.cache.VolumeHealth;
import dev.stowage.cache.VolumeInUseException;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.device.FileBlockDevice;
import dev.stowage.core.store.PreconditionFailedException;
import dev.stowage.core.store.PutOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored volumes of a gateway: opens and creates them, keeps their change tracking under a
 * state directory ({@code <state dir>/<volume id>/}: {@code dirty.map}, {@code volume.properties},
 * {@code lock}, and {@code cow.tmp} while a snapshot runs), takes and lists their snapshots, and
 * restores snapshots (of stored or cached volumes) into new stored volumes.
 *
 * <p>Public API for the daemon and the admin API: {@link #open}, {@link #createFromSnapshot},
 * {@link #snapshot}, {@link #volumeIds}, {@link #volume}, {@link #listSnapshots},
 * {@link #getSnapshot}, {@link #deleteSnapshot}, {@link #close}. It is a {@link SnapshotTaker},
 * so a {@link dev.stowage.cache.SnapshotScheduler} can take scheduled snapshots of stored volumes.
 *
 * <p><b>Threading:</b> thread-safe; opening and creating are serialized, snapshots of different
 * volumes run in parallel.
 *
 * <p><b>Errors:</b> wrong arguments and conflicts (unknown volume, id already used, file of
 * another size, an existing file without {@code preserveExistingData}) are
 * {@link IllegalArgumentException}s with one line saying what to change; local or bucket failures
 * are {@link IOException}s.
 */
public final class StoredVolumes implements SnapshotTaker, dev.stowage.cache.reclaim.LiveChunkSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoredVolumes.class);
    private static final String PROPERTIES = "volume.properties";

    private final Path stateDir;
    private final Bucket bucket;
    private final StoredVolumeSettings settings;
    private final Map<String, StoredVolume> volumes = new LinkedHashMap<>(); // guarded by this
    private final java.util.Set<String> creating = new java.util.HashSet<>();  // being restored; guarded by this
    private VolumeGuard guard; // made at the first open; guarded by this

    /**
     * @param stateDir where each volume's change tracking lives (created when missing)
     * @param bucket   where snapshots go
     */
    public StoredVolumes(Path stateDir, Bucket bucket, StoredVolumeSettings settings) {
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Space reclaim: every open volume's last snapshot root and what its running snapshot uploaded. */
    @Override
    public void reportLiveChunks(Sink sink) {
        List<StoredVolume> open;
        synchronized (this) {
            open = List.copyOf(volumes.values());
        }
        for (StoredVolume v : open) {
            v.reportLiveChunks(sink);
        }
    }

    @Override
    public String describe() {
        return "stored volumes " + stateDir;
    }

    public StoredVolumeSettings settings() {
        return settings;
    }

    /**
     * Opens stored volume {@code volumeId} on {@code file}, creating it when this gateway does not
     * know it yet: a missing file is created sparse (all zeros); an existing file is taken over only
     * with {@code preserveExistingData}, and then every chunk counts as changed (the first snapshot
     * uploads all of it; deduplication makes repeats cheap).
     *
     * @param sizeBytes the volume size; an existing file must have exactly this size
     * @param blockSize 512 or 4096
     */
    public StoredVolume open(String volumeId, Path file, long sizeBytes, int blockSize,
                             boolean preserveExistingData) throws IOException {
        return open(volumeId, file, sizeBytes, blockSize, preserveExistingData, false);
    }

    /**
     * As {@link #open(String, Path, long, int, boolean)}; also claims the volume's owner record
     * ({@code volumes/<id>/owner}) for this gateway, refreshed while the volume is open and released
     * when it closes. With {@code takeOver}, takes the volume from another live gateway and ends a
     * conflict (this gateway's next snapshot then replaces the bucket's head).
     *
     * @throws VolumeInUseException when another live gateway owns the volume and {@code takeOver} is false
     */
    public synchronized StoredVolume open(String volumeId, Path file, long sizeBytes, int blockSize,
                                          boolean preserveExistingData, boolean takeOver) throws IOException {
        VolumeHead.checkVolumeId(volumeId);
        Objects.requireNonNull(file, "file");
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512 or 4096, got " + blockSize);
        }
        if (sizeBytes <= 0 || sizeBytes % blockSize != 0) {
            throw new IllegalArgumentException("stored volume size must be a positive multiple of the block size "
                    + blockSize + ", got " + sizeBytes);
        }
        if (volumes.containsKey(volumeId)) {
            throw new IllegalArgumentException("stored volume " + volumeId + " is already open");
        }
        if (creating.contains(volumeId)) {
            throw new IllegalArgumentException("stored volume " + volumeId + " is being restored from a snapshot");
        }
        Path dir = stateDir.resolve(volumeId);
        Path abs = file.toAbsolutePath().normalize();
        boolean known = DirtyMap.exists(dir);
        if (known) {
            checkProperties(dir, volumeId, abs);
        }
        VolumeGuard g = guard();
        boolean opened = false;
        try {
            g.claim(volumeId, takeOver); // a bucket outage is not fatal: the claim is retried every minute
            if (!known) {
                refuseIfInBucket(volumeId);
            }
            StoredVolume v = openClaimed(volumeId, dir, abs, sizeBytes, blockSize, preserveExistingData, known, g);
            opened = true;
            return v;
        } finally {
            if (!opened) {
                g.release(volumeId);
            }
        }
    }

    private StoredVolume openClaimed(String volumeId, Path dir, Path abs, long sizeBytes, int blockSize,
                                     boolean preserveExistingData, boolean known, VolumeGuard g) throws IOException {
        boolean fileExists = Files.exists(abs);
        if (fileExists) {
            long actual = Files.size(abs);
            if (actual != sizeBytes && Files.isRegularFile(abs)) {
                throw new IllegalArgumentException("the data file " + abs + " of stored volume " + volumeId + " is "
                        + actual + " bytes, not " + sizeBytes + ": give its size, or use another file");
            }
            if (!known && !preserveExistingData) {
                throw new IllegalArgumentException("the data file " + abs + " of new stored volume " + volumeId
                        + " already exists: set preserve_existing_data to keep its data (the first snapshot uploads "
                        + "it), or remove the file to start from zeros");
            }
        }
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = lock(lockChannel, dir);
        DirtyMap map = null;
        FileBlockDevice dev = null;
        try {
            if (!known) {
                writeProperties(dir, abs, sizeBytes, blockSize);
                map = DirtyMap.create(dir, settings.chunkSize(), sizeBytes, fileExists, null);
            } else {
                map = DirtyMap.open(dir, settings.chunkSize(), sizeBytes);
            }
            if (!Files.exists(abs)) {
                if (known && (map.base() != null || map.dirtyCount() > 0)) {
                    throw new IOException("the data file " + abs + " of stored volume " + volumeId + " is missing: "
                            + "restore it, or create a new volume from one of its snapshots");
                }
                Path parent = abs.getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                dev = FileBlockDevice.create(abs, blockSize, sizeBytes / blockSize);
                log.atInfo().addKeyValue("volume", volumeId).addKeyValue("path", abs).log("created stored volume file");
            } else {
                dev = FileBlockDevice.open(abs, blockSize, false);
            }
            if (!known) {
                g.created(volumeId); // its first head must not exist yet
            }
            StoredVolume v = new StoredVolume(volumeId, dev, map, dir, lockChannel, lock, bucket, settings, g);
            volumes.put(volumeId, v);
            log.atInfo().addKeyValue("volume", volumeId).addKeyValue("path", abs)
                    .addKeyValue("changed_chunks", map.dirtyCount()).log(known ? "stored volume open" : "stored volume created");
            return v;
        } catch (DeviceException e) {
            cleanUp(map, dev, lock, lockChannel);
            throw new IOException("cannot open the data file of stored volume " + volumeId + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            cleanUp(map, dev, lock, lockChannel);
            throw e;
        }
    }

    /**
     * Creates stored volume {@code newVolumeId} in the new file {@code file} with the content of
     * snapshot {@code snapshotId} (of a stored or a cached volume), restored eagerly (every chunk
     * downloaded, verified and written before this returns), and opens it with 512-byte blocks.
     * Its snapshots continue from the snapshot's manifest (unchanged chunks are shared).
     */
    public StoredVolume createFromSnapshot(String newVolumeId, String snapshotId, Path file) throws IOException {
        return createFromSnapshot(newVolumeId, snapshotId, file, 512);
    }

    /**
     * As {@link #createFromSnapshot(String, String, Path)} with the given block size (512 or 4096).
     * The download runs without holding the manager's lock, so other volumes keep working meanwhile.
     */
    public StoredVolume createFromSnapshot(String newVolumeId, String snapshotId, Path file, int blockSize)
            throws IOException {
        VolumeHead.checkVolumeId(newVolumeId);
        Path abs = file.toAbsolutePath().normalize();
        Path dir = stateDir.resolve(newVolumeId);
        synchronized (this) {
            if (volumes.containsKey(newVolumeId) || creating.contains(newVolumeId) || DirtyMap.exists(dir)) {
                throw new IllegalArgumentException("stored volume " + newVolumeId + " already exists");
            }
            if (Files.exists(abs)) {
                throw new IllegalArgumentException("cannot restore into " + abs + ": it exists; name a new file");
            }
            refuseIfInBucket(newVolumeId);
            creating.add(newVolumeId);
        }
        boolean restored = false;
        try {
            Snapshot s = SnapshotRecords.get(bucket.store(), snapshotId);
            VolumeManifest m = bucket.manifests().loadRoot(s.root());
            if (m.chunkSize() != settings.chunkSize()) {
                throw new IllegalArgumentException("snapshot " + snapshotId + " has " + m.chunkSize()
                        + "-byte chunks; stored volumes here use " + settings.chunkSize() + "-byte chunks");
            }
            SnapshotRestore.restore(bucket, m, abs, blockSize, settings.uploadThreads());
            VolumeManifest start = m.cloneAs(newVolumeId, settings.clock().instant());
            ChunkId root = bucket.manifests().saveRoot(start);
            String etag;
            try {
                etag = bucket.store().put(VolumeHead.objectKey(newVolumeId), new VolumeHead(root, 0).encode(),
                        PutOptions.builder().ifNoneMatch().build()).etag();
            } catch (PreconditionFailedException e) {
                throw new IllegalArgumentException("volume id " + newVolumeId + " was just used in the bucket by "
                        + "another gateway: choose another id");
            }
            synchronized (this) {
                guard().opened(newVolumeId, etag);
            }
            Files.createDirectories(dir);
            writeProperties(dir, abs, m.volumeSize(), blockSize);
            DirtyMap.create(dir, settings.chunkSize(), m.volumeSize(), false, new DirtyMap.Base(root, 0)).close();
            log.atInfo().addKeyValue("volume", newVolumeId).addKeyValue("snapshot", snapshotId)
                    .addKeyValue("path", abs).log("stored volume restored from snapshot");
            synchronized (this) {
                creating.remove(newVolumeId);
                restored = true;
                return open(newVolumeId, abs, m.volumeSize(), blockSize, false);
            }
        } finally {
            synchronized (this) {
                creating.remove(newVolumeId);
            }
            if (!restored && !DirtyMap.exists(dir)) {
                Files.deleteIfExists(abs); // a restore that did not become a volume leaves no file behind
            }
        }
    }

    /** Takes a point-in-time snapshot of open volume {@code volumeId}; see {@link StoredVolume#snapshot}. */
    @Override
    public Snapshot snapshot(String volumeId, String description, Duration timeout)
            throws IOException, InterruptedException {
        StoredVolume v = volume(volumeId);
        if (v == null) {
            throw new IllegalArgumentException("stored volume " + volumeId + " is not open");
        }
        return v.snapshot(description, timeout);
    }

    /**
     * Whether this gateway may publish snapshots of {@code volumeId}: OK, OWNER_UNCHECKED (the bucket
     * could not be reached at open; the claim is retried every minute) or CONFLICT (another gateway
     * wrote the volume's head or took it over; snapshots fail until it is reopened with take-over).
     */
    public synchronized VolumeHealth health(String volumeId) {
        return guard == null ? VolumeHealth.OK : guard.health(volumeId);
    }

    /** Ids of the open stored volumes, in the order they were opened. */
    public synchronized List<String> volumeIds() {
        return List.copyOf(volumes.keySet());
    }

    /** The open volume {@code id}, or null. */
    public synchronized StoredVolume volume(String id) {
        StoredVolume v = volumes.get(id);
        return v == null || v.isClosed() ? null : v;
    }

    /** Snapshots of {@code volumeId} in the bucket, oldest first. */
    public List<Snapshot> listSnapshots(String volumeId) {
        return SnapshotRecords.list(bucket.store(), volumeId);
    }

    /** A snapshot record; {@link dev.stowage.core.store.NotFoundException} when there is none. */
    public Snapshot getSnapshot(String snapshotId) {
        return SnapshotRecords.get(bucket.store(), snapshotId);
    }

    /** Deletes a snapshot record (chunks stay until space reclaim exists). */
    public void deleteSnapshot(String snapshotId) {
        SnapshotRecords.delete(bucket.store(), snapshotId);
    }

    /** Closes every open volume (waiting for running snapshots); logs what fails and goes on. */
    @Override
    public synchronized void close() {
        for (StoredVolume v : new ArrayList<>(volumes.values())) {
            try {
                v.close();
            } catch (DeviceException | RuntimeException e) {
                log.atError().setCause(e).log("stored volume {} could not be closed cleanly: {}", v.id(), e.getMessage());
            }
        }
        volumes.clear();
        if (guard != null) {
            guard.close();
            guard = null;
        }
    }

    /** The one-writer guard, kept in {@code <state dir>/.gateway/} (gateway id and head ETags). */
    private VolumeGuard guard() throws IOException {
        assert Thread.holdsLock(this);
        if (guard == null) {
            guard = VolumeGuard.open(bucket.store(), stateDir.resolve(".gateway"), settings.clock(),
                    "this gateway stopped publishing its snapshots; writes go on into its file and stay changed for a "
                    + "later snapshot; stop the other gateway, then reopen the volume here with take-over to publish "
                    + "this gateway's data (or restore the other's snapshot into a new volume)");
            guard.start();
        }
        return guard;
    }

    private void refuseIfInBucket(String volumeId) {
        if (bucket.store().find(VolumeHead.objectKey(volumeId)).isPresent()) {
            throw new IllegalArgumentException("volume id " + volumeId + " is already used in the bucket (by another "
                    + "volume, or by a stored volume whose state directory is gone): choose another id; its snapshots "
                    + "can be restored into a new volume");
        }
    }

    private static FileLock lock(FileChannel ch, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("stored volume state " + dir + " is in use by another process");
        }
        return lock;
    }

    private static void cleanUp(DirtyMap map, FileBlockDevice dev, FileLock lock, FileChannel ch) {
        try {
            if (dev != null) {
                dev.close();
            }
        } catch (DeviceException e) {
            log.debug("closing after a failed open: {}", e.getMessage());
        }
        try {
            if (map != null) {
                map.close();
            }
            lock.release();
            ch.close();
        } catch (IOException e) {
            log.debug("closing after a failed open: {}", e.getMessage());
        }
    }

    private static void writeProperties(Path dir, Path file, long size, int blockSize) throws IOException {
        String text = "# stored volume; do not edit\nversion=1\npath=" + file + "\nsize=" + size + "\nblock_size="
                + blockSize + "\n";
        Path tmp = dir.resolve(PROPERTIES + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(PROPERTIES), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DirtyMap.forceDirectory(dir);
    }

    private static void checkProperties(Path dir, String volumeId, Path file) throws IOException {
        Path p = dir.resolve(PROPERTIES);
        if (!Files.exists(p)) {
            return;
        }
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (line.startsWith("path=") && !Path.of(line.substring(5)).equals(file)) {
                throw new IllegalArgumentException("stored volume " + volumeId + " keeps its data in " + line.substring(5)
                        + ", not " + file + ": point it at that file, or use a new volume id for another file");
            }
        }
    }
}
