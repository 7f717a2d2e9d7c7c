package dev.stowage.cache.stored;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.SnapshotRecords;
import dev.stowage.cache.VolumeGuard;
import dev.stowage.cache.VolumeHead;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.device.FileBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stored volume: the primary data is a local file (or block device) read and written at local
 * disk speed through a {@link FileBlockDevice}, and {@link #snapshot} takes asynchronous,
 * incremental, point-in-time snapshots into the bucket, in the same format as cached volumes'
 * snapshots (manifest of chunks, {@code snapshots/<id>} record, {@code volumes/<id>/head}).
 *
 * <p><b>Change tracking:</b> every chunk a write, unmap or write-same touches is marked in the
 * {@link DirtyMap}; the first write to a clean chunk waits until the mark is on stable storage
 * <i>before</i> the data is written, so after a crash no changed chunk is forgotten (a write that
 * was never acknowledged may leave a spurious mark, which only costs a deduplicated re-upload).
 *
 * <p><b>Snapshots:</b> at the cut (writes held off for the moment it takes to force the file and
 * swap the bitmaps) the dirty set becomes the snapshot's set and tracking restarts empty. The
 * cut's chunks are then read and uploaded while writers go on; a write to a chunk not uploaded yet
 * first copies its cut-time content aside ({@link SnapshotCut}), so the snapshot is exactly the
 * volume at the cut. A failed snapshot (bucket outage, deadline, crash) leaves its chunks dirty for
 * the next one. One snapshot runs at a time per volume.
 *
 * <p><b>Durability:</b> as {@link FileBlockDevice}: a completed write is in the page cache,
 * {@link #flush} or FUA forces it.
 *
 * <p><b>Threading:</b> thread-safe. Writes hold the read side of the cut lock; the cut holds its
 * write side briefly.
 *
 * <p><b>Errors:</b> device calls throw {@link DeviceException} (a failure to record a change is
 * MEDIUM_ERROR_WRITE, and the data is then not written); {@link #snapshot} throws
 * {@link IOException} with one line saying what failed and that the changes stay for the next one.
 */
public final class StoredVolume implements BlockDevice {
    private static final Logger log = LoggerFactory.getLogger(StoredVolume.class);
    private static final int MAX_DESCRIPTION = 1024;

    private final String id;
    private final FileBlockDevice file;
    private final DirtyMap map;
    private final Path stateDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Bucket bucket;
    private final StoredVolumeSettings settings;
    private final VolumeGuard guard;
    private final int chunkSize;
    private final long sizeBytes;
    private final ReentrantReadWriteLock cutLock = new ReentrantReadWriteLock();
    private final ReentrantLock snapshotLock = new ReentrantLock();
    /**
     * Shared while a snapshot holds chunk ids or a root that space reclaim cannot see yet (a put until
     * its id is recorded; from the manifest commit until the head and record are published);
     * exclusive while {@link #reportLiveChunks} reports them.
     */
    private final ReentrantReadWriteLock references = new ReentrantReadWriteLock();
    private volatile SnapshotUpload upload; // the running snapshot's upload, until its cut completes
    private volatile SnapshotCut cut;
    private volatile Runnable cutListener;
    private volatile Snapshot lastSnapshot;
    private volatile SnapshotUpload.Result lastUpload;
    private volatile VolumeManifest baseManifest; // the decoded root of map.base(), once known
    private volatile boolean closed;
    private volatile boolean closing; // set by close(): a running snapshot stops at its next chunk

    StoredVolume(String id, FileBlockDevice file, DirtyMap map, Path stateDir, FileChannel lockChannel, FileLock lock,
                 Bucket bucket, StoredVolumeSettings settings, VolumeGuard guard) {
        this.id = id;
        this.file = file;
        this.map = map;
        this.stateDir = stateDir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.bucket = bucket;
        this.settings = settings;
        this.guard = guard;
        this.chunkSize = settings.chunkSize();
        this.sizeBytes = file.blockCount() * file.blockSize();
    }

    public String id() {
        return id;
    }

    /** The primary data file. */
    public Path path() {
        return file.path();
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Chunks changed since the last completed snapshot (these go into the next one). */
    public long changedChunks() {
        return map.dirtyCount();
    }

    /** The last snapshot this process took of the volume, or null. */
    public Snapshot lastSnapshot() {
        return lastSnapshot;
    }

    /** Chunks the last snapshot put through the chunk store, and how many of them were preserved copies; null before one. */
    SnapshotUpload.Result lastUpload() {
        return lastUpload;
    }

    /** Runs {@code r} at each cut, while writes are held off (tests record the exact cut-time content). */
    void onCut(Runnable r) {
        cutListener = r;
    }

    // ---- BlockDevice ----------------------------------------------------------------------------

    @Override
    public int blockSize() {
        return file.blockSize();
    }

    @Override
    public long blockCount() {
        return file.blockCount();
    }

    @Override
    public boolean thinProvisioned() {
        return file.thinProvisioned();
    }

    @Override
    public boolean isMapped(long lba) throws DeviceException {
        return file.isMapped(lba);
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws DeviceException {
        file.read(lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws DeviceException {
        long blocks = src.remaining() / blockSize();
        if (src.remaining() % blockSize() != 0) {
            file.write(lba, src, fua); // the file's own INVALID_ARGUMENT
            return;
        }
        cutLock.readLock().lock();
        try {
            beforeChange(lba, blocks);
            file.write(lba, src, fua);
        } finally {
            cutLock.readLock().unlock();
        }
    }

    @Override
    public void flush() throws DeviceException {
        file.flush();
    }

    @Override
    public void unmap(long lba, long blocks) throws DeviceException {
        cutLock.readLock().lock();
        try {
            beforeChange(lba, blocks);
            file.unmap(lba, blocks);
        } finally {
            cutLock.readLock().unlock();
        }
    }

    @Override
    public void writeSame(long lba, long blocks, ByteBuffer pattern, boolean unmap) throws DeviceException {
        cutLock.readLock().lock();
        try {
            beforeChange(lba, blocks);
            file.writeSame(lba, blocks, pattern, unmap);
        } finally {
            cutLock.readLock().unlock();
        }
    }

    /** Marks the chunks durably changed and preserves cut-time content; the caller holds the cut read lock. */
    private void beforeChange(long lba, long blocks) throws DeviceException {
        if (closed) {
            throw new DeviceException(DeviceError.NOT_READY, "stored volume " + id + " is closed");
        }
        if (lba < 0 || blocks < 0 || lba > blockCount() || blocks > blockCount() - lba) {
            throw new DeviceException(DeviceError.LBA_OUT_OF_RANGE, "blocks " + lba + "+" + blocks
                    + " past the end of stored volume " + id + " (" + blockCount() + " blocks)");
        }
        if (blocks == 0) {
            return;
        }
        long first = lba * blockSize() / chunkSize;
        long last = ((lba + blocks) * blockSize() - 1) / chunkSize;
        try {
            map.awaitDurable(map.markDirty(first, last));
            SnapshotCut c = cut;
            if (c != null) {
                c.preserve(first, last);
            }
        } catch (IOException e) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "cannot record the change of stored volume "
                    + id + " in " + stateDir + ": " + e.getMessage(), e);
        }
    }

    private byte[] readChunk(long chunk) throws IOException {
        long offset = chunk * chunkSize;
        byte[] b = new byte[(int) Math.min(chunkSize, sizeBytes - offset)];
        file.read(offset / blockSize(), ByteBuffer.wrap(b));
        return b;
    }

    // ---- snapshots ------------------------------------------------------------------------------

    /**
     * Takes a point-in-time snapshot: the volume's content at the cut (every write completed before
     * the call is in it, none started after the cut is), uploads the chunks changed since the last
     * snapshot, commits them on the last snapshot's manifest, records {@code snapshots/<id>} and
     * publishes {@code volumes/<id>/head}. Writers are held off only for the cut itself.
     *
     * @param timeout how long the whole snapshot may take (waiting for another one included)
     * @throws IOException when it failed or ran out of time; its changes go into the next snapshot
     */
    public Snapshot snapshot(String description, Duration timeout) throws IOException, InterruptedException {
        if (description == null || description.length() > MAX_DESCRIPTION) {
            throw new IllegalArgumentException("snapshot description must be given and at most " + MAX_DESCRIPTION
                    + " characters");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!snapshotLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IOException("another snapshot of stored volume " + id + " is still running after " + timeout);
        }
        try {
            if (closed || closing) {
                throw new IOException("stored volume " + id + " is closed");
            }
            if (guard.inConflict(id)) {
                throw conflict();
            }
            file.flush(); // most of the cut's data, outside the held-off moment
            BitSet chunks;
            SnapshotCut c;
            cutLock.writeLock().lock();
            try {
                file.flush();
                chunks = map.startCut();
                c = new SnapshotCut(chunks, this::readChunk, settings.cowMemoryBytes(), stateDir.resolve("cow.tmp"));
                cut = c;
                Runnable l = cutListener;
                if (l != null) {
                    l.run();
                }
            } finally {
                cutLock.writeLock().unlock();
            }
            try {
                map.awaitDurable(map.changes());
                return record(description, chunks, c, deadline);
            } catch (IOException | RuntimeException | InterruptedException e) {
                try {
                    map.abortCut();
                } catch (IOException x) {
                    e.addSuppressed(x);
                }
                log.atWarn().addKeyValue("volume", id).log("snapshot failed; its {} changed chunks stay for the next "
                        + "one: {}", chunks.cardinality(), e.getMessage());
                if (e instanceof RuntimeException r && !(e instanceof IllegalArgumentException)) {
                    throw new IOException("snapshot of stored volume " + id + " failed: " + r.getMessage()
                            + "; its changes stay and go into the next snapshot", r);
                }
                throw e;
            } finally {
                cut = null;
                c.close();
            }
        } finally {
            snapshotLock.unlock();
        }
    }

    private Snapshot record(String description, BitSet chunks, SnapshotCut c, long deadline)
            throws IOException, InterruptedException {
        DirtyMap.Base b = map.base();
        VolumeManifest base = b == null
                ? VolumeManifest.empty(id, sizeBytes, chunkSize, settings.fanOut(), settings.clock().instant())
                : b.generation() == generationOf(baseManifest) ? baseManifest : bucket.manifests().loadRoot(b.root());
        if (base.volumeSize() != sizeBytes || base.chunkSize() != chunkSize) {
            throw new IOException("the last snapshot of stored volume " + id + " is of a volume of " + base.volumeSize()
                    + " bytes in " + base.chunkSize() + "-byte chunks, not " + sizeBytes + " in " + chunkSize);
        }
        SnapshotUpload u = new SnapshotUpload(bucket, settings, id, c, chunks, deadline, () -> closing,
                references.readLock());
        upload = u;
        try {
            return publish(description, chunks, u.run(base));
        } finally {
            upload = null;
        }
    }

    private Snapshot publish(String description, BitSet chunks, SnapshotUpload.Result r) throws IOException {
        references.readLock().lock();
        try {
            return publishLocked(description, chunks, r);
        } finally {
            references.readLock().unlock();
        }
    }

    private Snapshot publishLocked(String description, BitSet chunks, SnapshotUpload.Result r) throws IOException {
        long gen = r.manifest().generation();
        VolumeHead head = new VolumeHead(r.root(), gen);
        if (!guard.publish(id, head)) {
            if (guard.inConflict(id)) {
                throw conflict();
            }
            throw new IOException("snapshot of stored volume " + id + " failed: its head could not be written to "
                    + "the bucket (see the log); its changes stay and go into the next snapshot");
        }
        Snapshot s = new Snapshot(SnapshotRecords.newId(), id, r.root(), gen, sizeBytes, settings.clock().instant(),
                description);
        SnapshotRecords.put(bucket.store(), s);
        map.completeCut(new DirtyMap.Base(r.root(), gen));
        baseManifest = r.manifest();
        lastSnapshot = s;
        lastUpload = r;
        log.atInfo().addKeyValue("volume", id).addKeyValue("snapshot", s.id()).addKeyValue("generation", gen)
                .log("snapshot taken: {} changed chunks, {} put ({} bytes), {} zero, {} copied on write",
                        chunks.cardinality(), r.chunksPut(), r.bytesPut(), r.zeroChunks(), r.preserved());
        return s;
    }

    private IOException conflict() {
        return new IOException("snapshot of stored volume " + id + " refused: " + guard.health(id).detail()
                + "; nothing was recorded, the volume's changes stay in its file for a later snapshot; stop the "
                + "other gateway, then reopen the volume here with take-over");
    }

    /**
     * For space reclaim: the volume's last snapshot root, and the chunks and root of a snapshot being
     * uploaded that no published head or record names yet. Waits for puts in progress to be recorded.
     */
    void reportLiveChunks(dev.stowage.cache.reclaim.LiveChunkSource.Sink sink) {
        references.writeLock().lock();
        try {
            DirtyMap.Base b = map.base();
            if (b != null) {
                sink.root(b.root());
            }
            SnapshotUpload u = upload;
            if (u != null) {
                u.reportLive(sink::chunk, sink::root);
            }
        } finally {
            references.writeLock().unlock();
        }
    }

    private static long generationOf(VolumeManifest m) {
        return m == null ? -1 : m.generation();
    }

    /**
     * Stops a running snapshot (its changes stay for the next one; it ends at its next chunk or
     * retry), then flushes and closes the file and the state.
     */
    @Override
    public void close() throws DeviceException {
        if (closed) {
            return;
        }
        closing = true;
        snapshotLock.lock();
        cutLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            guard.release(id); // a clean close frees the volume for other gateways
            try {
                file.close();
            } finally {
                try {
                    map.close();
                    lock.release();
                    lockChannel.close();
                } catch (IOException e) {
                    log.warn("closing the state of stored volume {}: {}", id, e.getMessage());
                }
            }
        } finally {
            cutLock.writeLock().unlock();
            snapshotLock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }
}
