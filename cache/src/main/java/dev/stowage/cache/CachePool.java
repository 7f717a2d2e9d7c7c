package dev.stowage.cache;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.ChunkStore;
import dev.stowage.core.chunk.CorruptChunkException;
import dev.stowage.core.chunk.manifest.CorruptManifestException;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-back cache pool: one directory on local disk shared by all volumes, holding
 * fixed-size slots in a data file ({@code cache.data}), a journal ({@code journal}) and a lock
 * file. Each slot holds one chunk of one volume; the slot size is the chunk size of every volume
 * in the pool. Slot states and what happens on failure: {@link SlotState}. Format and durability
 * contract: docs/cache.md.
 *
 * <p><b>Writes</b> land in a slot (allocated from the free list, or by evicting a CLEAN slot with
 * a CLOCK sweep) and are journaled; a small write to a chunk that is not cached does not fetch the
 * rest of the chunk (per-sector valid bits; the rest is merged from the bucket on a read or at
 * upload time). {@link CachedVolume#flush} makes data and journal stable. When every slot is dirty,
 * writers wait (back-pressure) for the {@link Uploader} to free slots, at most
 * {@link CacheSettings#maxWriteWait()}, then fail with NOT_READY.
 *
 * <p><b>Reads</b> hit a slot, or fetch and verify the chunk through the {@link ChunkStore} and
 * install it CLEAN; chunks that were never written read as zeros without fetching data. Sequential
 * reads are read ahead by the {@link Prefetcher}.
 *
 * <p><b>Recovery:</b> {@link #open} replays the journal (torn tail discarded) and rebuilds the
 * index: every not-yet-clean chunk is DIRTY again and will be uploaded, and clean chunks with a
 * WARM record stay CLEAN (checked against their checksum when first used); no S3 access is needed
 * to open.
 *
 * <p><b>Threading:</b> thread-safe. Lock order: {@code stateLock} (read by data operations,
 * write by commits and compaction), then an entry's lock, then the {@link SlotTable} lock,
 * then the journal. Nothing waits for a free slot while holding a lock.
 *
 * <p><b>Errors:</b> device operations throw {@link DeviceException}: local I/O failures are
 * MEDIUM_ERROR_WRITE / MEDIUM_ERROR_READ, a corrupt or missing chunk in the bucket is
 * MEDIUM_ERROR_READ (logged with the object key), an unreachable bucket on a read miss or a
 * write that waited too long for space is NOT_READY.
 */
public final class CachePool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CachePool.class);
    private static final int FETCH_ATTEMPTS = 3;

    final CacheSettings settings;
    final ChunkStore chunks;
    final ManifestStore manifests;
    final ObjectStore bucket;
    final int slotSize;
    final int sectorsPerSlot;
    private final Path dir;
    private final FileChannel data;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    final Journal journal;

    final ConcurrentHashMap<ChunkKey, Entry> index = new ConcurrentHashMap<>();
    final Set<Entry> dirty = ConcurrentHashMap.newKeySet();
    final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    private final AtomicLong generation = new AtomicLong();

    private final ConcurrentHashMap<String, PoolVolume> volumesById = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, PoolVolume> volumesByNumber = new ConcurrentHashMap<>();
    final CacheMetrics metrics;
    final SlotTable slots;
    final Uploader uploader;
    final SnapshotCuts cuts;
    final VolumeGuard guard;
    final Prefetcher prefetcher;
    private final Snapshots snapshots = new Snapshots(this);
    private volatile boolean closed;
    /**
     * Space reclaim's view of this pool ({@link PoolLiveChunks}). Read-held by every path that
     * holds a chunk id or root the live-chunk report cannot see yet (upload until the pending
     * entry is in place, commit until the head moves, snapshot/clone/create until the new record
     * or volume exists); write-held briefly by the report. Taken before {@code stateLock}.
     */
    final ReentrantReadWriteLock references = new ReentrantReadWriteLock();
    /** Roots recorded by snapshots while a reclaim run collects its roots (see {@link PoolLiveChunks}). */
    final Set<ChunkId> adoptedRoots = ConcurrentHashMap.newKeySet();
    /** True from a reclaim run's start until its live-chunk report; changed under {@code references}' write lock. */
    volatile boolean collectingAdoptions;

    private CachePool(CacheSettings settings, ChunkStore chunks, ManifestStore manifests, ObjectStore bucket,
                      FileChannel data, FileChannel lockChannel, FileLock fileLock, Journal journal)
            throws IOException {
        this.settings = settings;
        this.chunks = chunks;
        this.manifests = manifests;
        this.bucket = bucket;
        this.dir = settings.directory();
        this.slotSize = settings.slotSize();
        this.sectorsPerSlot = slotSize / Journal.SECTOR_SIZE;
        this.data = data;
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.journal = journal;
        this.metrics = new CacheMetrics(this);
        this.slots = new SlotTable(this, data);
        this.uploader = new Uploader(this);
        this.cuts = new SnapshotCuts(this);
        this.guard = new VolumeGuard(bucket, GatewayIdentity.load(dir), dir, settings.clock());
        this.prefetcher = new Prefetcher(this);
    }

    /**
     * Opens the cache in {@code settings.directory()} (creating it when empty), replays its journal
     * and starts the uploader.
     *
     * @param chunks    where chunks are uploaded and fetched
     * @param manifests manifests of the volumes (over the same chunk store)
     * @param bucket    the object store that holds {@code volumes/<id>/head}
     * @throws IOException when the directory cannot be used (locked by another process, wrong settings, damaged)
     */
    public static CachePool open(CacheSettings settings, ChunkStore chunks, ManifestStore manifests,
                                 ObjectStore bucket) throws IOException {
        Objects.requireNonNull(settings, "settings");
        Path dir = settings.directory();
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this process already
        } catch (IOException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("cache directory " + dir + " is in use by another process");
        }
        FileChannel data = null;
        Journal journal = null;
        try {
            Path dataFile = dir.resolve("cache.data");
            if (Files.exists(dir.resolve("journal")) && !Files.exists(dataFile)) {
                throw new IOException("cache directory " + dir + " has a journal but no data file (cache.data): "
                        + "the cache is damaged; data not yet uploaded is lost");
            }
            data = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long want = (long) settings.slotSize() * settings.slotCount();
            if (data.size() < want) {
                data.write(ByteBuffer.wrap(new byte[1]), want - 1); // sparse
            }
            List<JournalRecord> records = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            journal = Journal.open(dir.resolve("journal"), data, settings.slotSize(), settings.slotCount(),
                    settings.clock().millis(), records, ends);
            CachePool pool = new CachePool(settings, Objects.requireNonNull(chunks, "chunks"),
                    Objects.requireNonNull(manifests, "manifests"), Objects.requireNonNull(bucket, "bucket"), data,
                    lockChannel, lock, journal);
            boolean rewrite = pool.recover(records, ends) || journal.header().formatVersion() != Journal.VERSION;
            if (rewrite) {
                // Record what recovery decided (and upgrade a version-1 journal) before anything is appended.
                pool.compactJournal();
            }
            pool.uploader.start();
            pool.guard.start();
            return pool;
        } catch (IOException | RuntimeException e) {
            if (journal != null) {
                journal.close();
            }
            if (data != null) {
                data.close();
            }
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Rebuilds the index; true when some sectors failed verification (the journal should be rewritten). */
    private boolean recover(List<JournalRecord> records, List<Long> ends) throws IOException {
        JournalReplay replay = new JournalReplay(slotSize);
        long flushed = 0;
        for (JournalRecord r : records) {
            if (r instanceof JournalRecord.Flush f) {
                flushed = Math.max(flushed, f.coveredOffset());
            }
        }
        try {
            for (int i = 0; i < records.size(); i++) {
                replay.apply(records.get(i), ends.get(i) <= flushed);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("cache journal in " + dir + " is inconsistent: " + e.getMessage(), e);
        }
        List<JournalReplay.DirtyChunk> dirtyChunks = replay.dirtyChunks(slot -> {
            ByteBuffer b = ByteBuffer.allocate(slotSize);
            long at = (long) slot * slotSize;
            while (b.hasRemaining()) {
                if (data.read(b, at + b.position()) < 0) {
                    break; // past the end of a sparse file: zeros
                }
            }
            return b.array();
        });
        byte[] zeroSector = new byte[Journal.SECTOR_SIZE];
        for (JournalReplay.DirtyChunk d : dirtyChunks) {
            for (int sector : d.zeroFill()) {
                ByteBuffer z = ByteBuffer.wrap(zeroSector);
                long at = (long) d.slot() * slotSize + (long) sector * Journal.SECTOR_SIZE;
                while (z.hasRemaining()) {
                    data.write(z, at + z.position());
                }
            }
        }
        if (replay.unverifiedSectors > 0) {
            log.warn("cache {}: {} sectors of writes that were never flushed did not reach the data file before "
                    + "the last stop; they read as before those writes", dir, replay.unverifiedSectors);
        }
        long now = settings.clock().millis();
        for (JournalRecord.Volume v : replay.volumes.values()) {
            JournalRecord.Commit c = replay.commits.get(v.volume());
            if (c == null) {
                log.warn("cache journal: volume {} has no recovery point; ignoring it", v.volumeId());
                continue;
            }
            PoolVolume pv = new PoolVolume(v.volume(), v.volumeId(), v.volumeSize(), v.chunkSize(),
                    new VolumeHead(c.root(), c.generation()), now);
            pv.headUnpublished = true; // cheap to publish again; the bucket may have missed the last one
            volumesById.put(pv.id, pv);
            volumesByNumber.put(pv.number, pv);
        }
        int dirtySlots = 0;
        int zeros = 0;
        for (JournalReplay.DirtyChunk d : dirtyChunks) {
            if (!volumesByNumber.containsKey(d.key().volume())) {
                continue;
            }
            Entry e = new Entry(d.key(), d.slot(), sectorsPerSlot);
            if (d.slot() >= 0) {
                System.arraycopy(d.bitmap().valid, 0, e.valid, 0, e.valid.length);
                slots.setOwner(d.slot(), e);
                dirtySlots++;
            } else {
                zeros++;
            }
            e.gen = d.gen();
            e.state = SlotState.DIRTY;
            e.dirtySinceMillis = now;
            e.firstDirtyMillis = now;
            index.put(d.key(), e);
            dirty.add(e);
        }
        int warm = 0;
        for (JournalReplay.WarmChunk w : replay.warmChunks()) {
            // Checked against its checksum when first used (verifyWarm), so opening reads nothing.
            Entry e = new Entry(w.key(), w.slot(), sectorsPerSlot);
            e.setAllValid(sectorsPerSlot);
            e.state = SlotState.CLEAN;
            e.gen = w.gen();
            e.cleanCrc = w.crc();
            e.cleanCrcKnown = true;
            e.unverified = true;
            slots.setOwner(w.slot(), e);
            index.put(w.key(), e);
            warm++;
        }
        metrics.warmRestored(warm);
        slots.buildFreeList();
        generation.set(replay.maxGen + 1);
        log.info("cache {} opened: {} volumes, {} dirty slots and {} zeroed chunks to upload, {} clean chunks kept, "
                + "{} free slots of {}", dir, volumesById.size(), dirtySlots, zeros, warm, slots.slotCounts()[0],
                settings.slotCount());
        return replay.unverifiedSectors > 0;
    }

    // ---- volumes ------------------------------------------------------------------------------

    /**
     * Creates a new, all-zero volume and publishes its first recovery point (needs the bucket).
     *
     * @param blockSize 512 or 4096
     * @throws IllegalArgumentException for a bad id or size, or when the volume already exists here or in the bucket
     */
    public CachedVolume createVolume(String volumeId, long sizeBytes, int blockSize) throws IOException {
        VolumeHead.checkVolumeId(volumeId);
        CachedVolume.checkBlockSize(blockSize);
        if (sizeBytes <= 0 || sizeBytes % blockSize != 0) {
            throw new IllegalArgumentException("volume size must be a positive multiple of the block size "
                    + blockSize + ", got " + sizeBytes);
        }
        references.readLock().lock(); // the new root is in no live report until registered
        try {
            synchronized (volumesById) {
                if (volumesById.containsKey(volumeId) || bucket.find(VolumeHead.objectKey(volumeId)).isPresent()) {
                    throw new IllegalArgumentException("volume " + volumeId + " already exists");
                }
                VolumeManifest empty = VolumeManifest.empty(volumeId, sizeBytes, slotSize,
                        VolumeManifest.DEFAULT_FAN_OUT, settings.clock().instant());
                ChunkId root = manifests.saveRoot(empty);
                guard.claim(volumeId, false);
                PoolVolume v = register(volumeId, sizeBytes, new VolumeHead(root, empty.generation()));
                v.manifest = empty;
                guard.created(volumeId);
                publishHead(v);
                return new CachedVolume(this, v, blockSize);
            }
        } finally {
            references.readLock().unlock();
        }
    }

    /**
     * Creates volume {@code volumeId} starting from {@code source}'s content (copy-on-write: the new
     * root shares every page and chunk) and publishes its first recovery point.
     *
     * @throws IllegalArgumentException for a bad id, another chunk size, or when the volume already exists
     */
    void createFromManifest(String volumeId, VolumeManifest source) throws IOException {
        VolumeHead.checkVolumeId(volumeId);
        if (source.chunkSize() != slotSize) {
            throw new IllegalArgumentException("volume " + source.volumeId() + " has " + source.chunkSize()
                    + "-byte chunks; this cache has " + slotSize + "-byte slots");
        }
        synchronized (volumesById) {
            if (volumesById.containsKey(volumeId) || bucket.find(VolumeHead.objectKey(volumeId)).isPresent()) {
                throw new IllegalArgumentException("volume " + volumeId + " already exists");
            }
            VolumeManifest m = source.cloneAs(volumeId, settings.clock().instant());
            ChunkId root = manifests.saveRoot(m);
            guard.claim(volumeId, false);
            PoolVolume v = register(volumeId, m.volumeSize(), new VolumeHead(root, m.generation()));
            v.manifest = m;
            guard.created(volumeId);
            publishHead(v);
        }
    }

    /** Snapshots and clones of this cache's volumes. */
    public Snapshots snapshots() {
        return snapshots;
    }

    /**
     * What space reclaim must keep besides the bucket's published roots: every volume's committed
     * root (published or not) and the uploads not committed yet. Register it with the reclaimer
     * ({@code Reclaimer#attach}).
     */
    public dev.stowage.cache.reclaim.LiveChunkSource liveChunkSource() {
        return new PoolLiveChunks(this);
    }

    /**
     * Opens a volume this cache knows, or else one published in the bucket (its head and root are read).
     * Claims the volume's owner record (see {@link #openVolume(String, int, boolean)}).
     *
     * @throws NotFoundException    when neither knows it
     * @throws VolumeInUseException when another live gateway owns the volume
     */
    public CachedVolume openVolume(String volumeId, int blockSize) throws IOException {
        return openVolume(volumeId, blockSize, false);
    }

    /**
     * Opens a volume, claiming its owner record {@code volumes/<id>/owner} for this gateway. With
     * {@code takeOver}, the volume is taken even from another live gateway (which then stops
     * writing it), and a volume in conflict here becomes writable again: this gateway's recovery
     * point replaces the bucket's head at the next publish. Use it only after stopping the other
     * gateway (see docs/cache.md, "Two gateways, one volume").
     *
     * @throws NotFoundException    when neither this cache nor the bucket knows the volume
     * @throws VolumeInUseException when another live gateway owns the volume and {@code takeOver} is false
     */
    public CachedVolume openVolume(String volumeId, int blockSize, boolean takeOver) throws IOException {
        VolumeHead.checkVolumeId(volumeId);
        CachedVolume.checkBlockSize(blockSize);
        synchronized (volumesById) {
            PoolVolume v = volumesById.get(volumeId);
            if (v == null) {
                String key = VolumeHead.objectKey(volumeId);
                String etag = bucket.head(key).etag();
                guard.claim(volumeId, takeOver);
                VolumeHead head = VolumeHead.decode(bucket.get(key), key);
                VolumeManifest m = manifests.loadRoot(head.root());
                if (m.chunkSize() != slotSize) {
                    throw new IllegalArgumentException("volume " + volumeId + " has " + m.chunkSize()
                            + "-byte chunks; this cache has " + slotSize + "-byte slots");
                }
                v = register(volumeId, m.volumeSize(), head);
                v.manifest = m;
                guard.opened(volumeId, etag);
            } else {
                boolean wasInConflict = guard.inConflict(volumeId);
                guard.claim(volumeId, takeOver);
                if (wasInConflict && !guard.inConflict(volumeId)) {
                    v.headUnpublished = true; // taken over: publish this gateway's recovery point
                    uploader.wake();
                }
            }
            if (v.size % blockSize != 0) {
                throw new IllegalArgumentException("volume " + volumeId + " of " + v.size
                        + " bytes is not a whole number of " + blockSize + "-byte blocks");
            }
            return new CachedVolume(this, v, blockSize);
        }
    }

    /**
     * Whether this gateway may keep writing {@code volumeId}: {@link VolumeHealth.Status#CONFLICT}
     * when another gateway wrote it (the volume is read-only here, its writes kept in the cache).
     */
    public VolumeHealth volumeHealth(String volumeId) {
        VolumeHead.checkVolumeId(volumeId);
        return guard.health(volumeId);
    }

    /** Ids of the volumes this cache knows. */
    public Collection<String> volumeIds() {
        return List.copyOf(volumesById.keySet());
    }

    private PoolVolume register(String volumeId, long size, VolumeHead head) throws IOException {
        int number = volumesByNumber.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        PoolVolume v = new PoolVolume(number, volumeId, size, slotSize, head, settings.clock().millis());
        journal.append(new JournalRecord.Volume(number, size, slotSize, volumeId));
        journal.append(new JournalRecord.Commit(number, head.generation(), head.root()));
        journal.syncAll();
        volumesByNumber.put(number, v);
        volumesById.put(volumeId, v);
        return v;
    }

    Collection<PoolVolume> volumes() {
        return volumesByNumber.values();
    }

    PoolVolume volume(String volumeId) {
        return volumesById.get(volumeId);
    }

    PoolVolume volume(int number) {
        return volumesByNumber.get(number);
    }

    /**
     * Writes the volume's head object conditionally ({@link VolumeGuard}); on failure leaves it
     * marked for the uploader to retry (a volume in conflict stays unpublished).
     */
    void publishHead(PoolVolume v) {
        v.headUnpublished = !guard.publish(v.id, v.head);
    }

    // ---- data operations ----------------------------------------------------------------------

    long nextGen() {
        return generation.getAndIncrement();
    }

    /** Writes whole sectors {@code src} at byte {@code offset} of chunk {@code chunk}; returns the journal sequence. */
    long write(PoolVolume v, long chunk, int offset, ByteBuffer src) throws DeviceException {
        ChunkKey key = new ChunkKey(v.number, chunk);
        int length = src.remaining();
        int spare = -1;
        SnapshotCuts.Credit credit = null;
        try {
            while (true) {
                Entry e = index.get(key);
                if ((e == null || e.slot < 0) && spare < 0) {
                    spare = slots.allocate(true);
                    continue;
                }
                if (e != null && e.hold != null && credit == null) {
                    credit = cuts.reserve(e); // a snapshot still needs this version: room to copy it aside
                }
                stateLock.readLock().lock();
                try {
                    e = index.get(key);
                    if (e == null || e.slot < 0) {
                        if (spare < 0) {
                            continue;
                        }
                        long seq = install(v, key, e, spare, offset, src);
                        if (seq < 0) {
                            continue; // another writer installed the chunk first
                        }
                        spare = -1;
                        return seq;
                    }
                    e.lock.lock();
                    try {
                        if (e.removed || !cuts.preserve(e, credit)) {
                            if (!e.removed) {
                                credit = null; // used up or missing: reserve again, without locks
                            }
                            continue;
                        }
                        verifyWarm(v, e); // the sectors not written here must be right before they count as valid
                        slots.write(e.slot, offset, src.duplicate());
                        e.setValid(offset / Journal.SECTOR_SIZE, length / Journal.SECTOR_SIZE);
                        long seq = markDirty(e, offset / Journal.SECTOR_SIZE, src, false, false);
                        src.position(src.position() + length);
                        return seq;
                    } finally {
                        e.lock.unlock();
                    }
                } finally {
                    stateLock.readLock().unlock();
                }
            }
        } finally {
            if (spare >= 0) {
                slots.free(spare);
            }
            cuts.release(credit);
        }
    }

    /**
     * A new entry in slot {@code slot} for a chunk not cached (or zeroed: {@code zeroEntry}).
     * Returns the journal sequence, or -1 when another thread changed the chunk's entry first
     * (nothing was done; the caller retries and still owns the slot). Caller holds the read lock.
     */
    private long install(PoolVolume v, ChunkKey key, Entry zeroEntry, int slot, int offset, ByteBuffer src)
            throws DeviceException {
        int length = src.remaining();
        Entry n = new Entry(key, slot, sectorsPerSlot);
        n.lock.lock();
        try {
            n.state = SlotState.CLEAN; // markDirty moves it on; nobody can evict it while we hold its lock
            if (zeroEntry != null) {
                zeroEntry.lock.lock();
                try {
                    if (zeroEntry.removed || !index.replace(key, zeroEntry, n)) {
                        return -1;
                    }
                    zeroEntry.removed = true;
                    dirty.remove(zeroEntry);
                } finally {
                    zeroEntry.lock.unlock();
                }
            } else if (index.putIfAbsent(key, n) != null) {
                return -1;
            }
            slots.setOwner(slot, n);
            boolean zeroBase = zeroEntry != null || v.knownEmpty();
            try {
                if (zeroBase) {
                    byte[] whole = new byte[slotSize];
                    src.duplicate().get(whole, offset, length);
                    slots.write(slot, 0, ByteBuffer.wrap(whole));
                    n.setAllValid(sectorsPerSlot);
                } else {
                    slots.write(slot, offset, src.duplicate());
                    n.setValid(offset / Journal.SECTOR_SIZE, length / Journal.SECTOR_SIZE);
                }
            } catch (DeviceException ex) {
                n.removed = true;
                index.remove(key, n);
                throw ex; // the caller frees the slot
            }
            long seq = markDirty(n, offset / Journal.SECTOR_SIZE, src, true, zeroBase);
            src.position(src.position() + length);
            return seq;
        } finally {
            n.lock.unlock();
        }
    }

    /**
     * Bumps the version, makes the entry DIRTY and journals the sectors written from {@code data}
     * (its remaining bytes, not consumed) with their checksums. Caller holds the entry lock.
     */
    private long markDirty(Entry e, int first, ByteBuffer data, boolean fresh, boolean zeroRest)
            throws DeviceException {
        int count = data.remaining() / Journal.SECTOR_SIZE;
        int[] crcs = JournalRecord.sectorCrcs(data, count);
        e.gen = nextGen();
        e.cleanCrcKnown = false;
        if (e.state == SlotState.CLEAN || e.state == SlotState.UPLOADED) {
            e.state = SlotState.DIRTY;
            e.dirtySinceMillis = settings.clock().millis();
            e.firstDirtyMillis = e.dirtySinceMillis;
            e.attempts = 0;
            e.notBeforeMillis = 0;
        } else if (e.state == SlotState.DIRTY) {
            e.dirtySinceMillis = settings.clock().millis(); // settle delay counts from the last write
        }
        dirty.add(e);
        try {
            return journal.append(new JournalRecord.Write(e.slot, e.key.volume(), e.key.chunk(), e.gen, first, count,
                    fresh, zeroRest, crcs));
        } catch (IOException ex) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "cache journal write failed: " + ex.getMessage(),
                    ex);
        }
    }

    /**
     * Makes the whole chunk zero (unmap); returns the journal sequence. The ZERO record is appended
     * before the chunk's slot is released, so a crash can never let the slot's next owner be
     * journaled while the chunk's flushed data would still be named by the journal only through
     * that slot (replay would then lose it).
     */
    long zero(PoolVolume v, long chunk) throws DeviceException {
        ChunkKey key = new ChunkKey(v.number, chunk);
        SnapshotCuts.Credit credit = null;
        try {
            while (true) {
                Entry held = index.get(key);
                if (held != null && held.hold != null && credit == null) {
                    credit = cuts.reserve(held); // a snapshot still needs this version: room to copy it aside
                }
                long seq = zeroOnce(v, key, chunk, credit);
                if (seq != Long.MIN_VALUE) {
                    return seq;
                }
                credit = null; // used up or missing: reserve again, without locks
            }
        } finally {
            cuts.release(credit);
        }
    }

    /** One attempt of {@link #zero}; Long.MIN_VALUE when a snapshot needs a copy of the chunk and {@code credit} cannot pay for it. */
    private long zeroOnce(PoolVolume v, ChunkKey key, long chunk, SnapshotCuts.Credit credit) throws DeviceException {
        stateLock.readLock().lock();
        try {
            while (true) {
                Entry e = index.get(key);
                if (e == null && v.knownEmpty()) {
                    return journal.lastAppended(); // nothing there, nothing pending
                }
                Entry z = new Entry(key, -1, sectorsPerSlot);
                z.lock.lock();
                try {
                    int release = -1;
                    if (e != null) {
                        e.lock.lock();
                        try {
                            if (e.removed) {
                                continue;
                            }
                            if (!cuts.preserve(e, credit)) {
                                return Long.MIN_VALUE;
                            }
                            if (!index.replace(key, e, z)) {
                                continue;
                            }
                            e.removed = true;
                            dirty.remove(e);
                            release = e.slot;
                        } finally {
                            e.lock.unlock();
                        }
                    } else if (index.putIfAbsent(key, z) != null) {
                        continue;
                    }
                    z.gen = nextGen();
                    z.state = SlotState.DIRTY;
                    z.dirtySinceMillis = settings.clock().millis();
                    z.firstDirtyMillis = z.dirtySinceMillis;
                    dirty.add(z);
                    long seq;
                    try {
                        seq = journal.append(new JournalRecord.Zero(v.number, chunk, z.gen));
                    } catch (IOException ex) {
                        throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "cache journal write failed: "
                                + ex.getMessage(), ex);
                    } finally {
                        if (release >= 0) {
                            slots.free(release);
                        }
                    }
                    return seq;
                } finally {
                    z.lock.unlock();
                }
            }
        } finally {
            stateLock.readLock().unlock();
        }
    }

    /** Reads {@code dst.remaining()} bytes at byte {@code offset} of chunk {@code chunk}. */
    void read(PoolVolume v, long chunk, int offset, ByteBuffer dst) throws DeviceException {
        ChunkKey key = new ChunkKey(v.number, chunk);
        int length = dst.remaining();
        int first = offset / Journal.SECTOR_SIZE;
        int count = (length + Journal.SECTOR_SIZE - 1) / Journal.SECTOR_SIZE;
        boolean awaited = false;
        while (true) {
            Entry e = index.get(key);
            if (e != null) {
                e.lock.lock();
                try {
                    if (!e.removed) {
                        if (e.slot < 0) {
                            zeroFill(dst, length);
                            metrics.hit(length);
                            return;
                        }
                        verifyWarm(v, e);
                        if (e.allValid(first, count)) {
                            slots.read(e.slot, offset, dst);
                            e.referenced = true;
                            metrics.hit(length);
                            prefetcher.served(key);
                            return;
                        }
                    }
                } finally {
                    e.lock.unlock();
                }
            }
            if (!awaited && prefetcher.awaitFetch(key)) {
                awaited = true; // a prefetch of this chunk was under way: look again instead of fetching twice
                continue;
            }
            long epoch = v.commitCount.get();
            byte[] base = fetchBase(v, chunk);
            metrics.miss(length);
            stateLock.readLock().lock();
            try {
                if (v.commitCount.get() != epoch) {
                    continue; // a commit changed the recovery point meanwhile: fetch again
                }
                e = index.get(key);
                if (e != null) {
                    e.lock.lock();
                    try {
                        if (e.removed) {
                            continue;
                        }
                        if (e.slot < 0) {
                            zeroFill(dst, length);
                            return;
                        }
                        verifyWarm(v, e);
                        mergeBase(e, base);
                        slots.read(e.slot, offset, dst);
                        e.referenced = true;
                        return;
                    } finally {
                        e.lock.unlock();
                    }
                }
                if (base == null) {
                    zeroFill(dst, length); // never written: nothing worth caching
                    return;
                }
                dst.put(base, offset, length);
                installClean(v, key, base);
                return;
            } finally {
                stateLock.readLock().unlock();
            }
        }
    }

    /**
     * Keeps a fetched chunk that is not cached as CLEAN, if a slot is free or evictable; true when
     * it was kept. Caller holds the read lock and fetched {@code base} at the current commit count.
     */
    private boolean installClean(PoolVolume v, ChunkKey key, byte[] base) {
        int slot;
        try {
            slot = slots.allocate(false);
        } catch (DeviceException ex) {
            return false; // closed
        }
        if (slot < 0) {
            return false;
        }
        Entry n = new Entry(key, slot, sectorsPerSlot);
        n.lock.lock();
        try {
            slots.write(slot, 0, ByteBuffer.wrap(base));
            n.setAllValid(sectorsPerSlot);
            n.state = SlotState.CLEAN;
            n.gen = nextGen();
            slots.setOwner(slot, n);
            if (index.putIfAbsent(key, n) != null) {
                n.removed = true;
                slots.free(slot);
                return false;
            }
            n.cleanCrc = chunkCrc(base, v.chunkLength(key.chunk()));
            n.cleanCrcKnown = true;
            journalWarm(n); // under the entry lock: before anything can evict and reuse the slot
            return true;
        } catch (DeviceException ex) {
            n.removed = true;
            slots.free(slot);
            log.warn("could not keep chunk {} of volume {} in the cache: {}", key.chunk(), v.id, ex.getMessage());
            return false;
        } finally {
            n.lock.unlock();
        }
    }

    /** CRC32C of the first {@code length} bytes of a chunk's content (what WARM records name). */
    static int chunkCrc(byte[] content, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(content, 0, length);
        return (int) crc.getValue();
    }

    /**
     * Journals that the CLEAN entry's slot holds its chunk (a WARM record), so a restart can keep
     * it. Caller holds the entry lock, so the record precedes any record of a later owner of the
     * slot. A failed append only costs the warm start: the chunk is read again after a restart.
     */
    void journalWarm(Entry e) {
        try {
            journal.append(new JournalRecord.Warm(e.slot, e.key.volume(), e.key.chunk(), e.gen, e.cleanCrc));
        } catch (IOException ex) {
            log.debug("cache journal: cannot record clean chunk {} for a warm restart: {}", e.key, ex.toString());
        }
    }

    /**
     * A CLEAN entry kept from before the last restart is checked once, when first used: its slot
     * must still match the checksum its WARM record named (its data may not have reached the disk,
     * or the slot may have been reused for data whose record was lost). A mismatch makes all its
     * sectors invalid, so they are read from the recovery point again. Caller holds the entry lock.
     */
    void verifyWarm(PoolVolume v, Entry e) throws DeviceException {
        if (!e.unverified) {
            return;
        }
        int length = v.chunkLength(e.key.chunk());
        byte[] content = new byte[length];
        slots.read(e.slot, 0, ByteBuffer.wrap(content));
        e.unverified = false;
        if (chunkCrc(content, length) != e.cleanCrc) {
            e.clearValid();
            e.cleanCrcKnown = false;
            metrics.warmRejected();
            log.info("cache: kept chunk {} of volume {} no longer matches its checksum in slot {}; reading it again",
                    e.key.chunk(), v.id, e.slot);
        }
    }

    /**
     * Read-ahead: fetches a chunk that is not cached and keeps it CLEAN (see {@link Prefetcher});
     * true when it was installed. Never waits for a slot.
     */
    boolean installAhead(PoolVolume v, long chunk) throws DeviceException {
        ChunkKey key = new ChunkKey(v.number, chunk);
        if (index.containsKey(key)) {
            return false;
        }
        long epoch = v.commitCount.get();
        byte[] base = fetchBase(v, chunk);
        if (base == null) {
            return false; // zeros in the recovery point: reads need no data
        }
        stateLock.readLock().lock();
        try {
            if (v.commitCount.get() != epoch || index.containsKey(key)) {
                return false;
            }
            return installClean(v, key, base);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    /**
     * Fills the sectors of {@code e} that are not valid from {@code base} (null: zeros) and marks
     * the whole slot valid. Caller holds the read lock and the entry lock, and fetched {@code base}
     * at the current commit count.
     */
    void mergeBase(Entry e, byte[] base) throws DeviceException {
        byte[] zeros = null;
        int s = 0;
        while (s < sectorsPerSlot) {
            if (e.isValid(s)) {
                s++;
                continue;
            }
            int end = s;
            while (end < sectorsPerSlot && !e.isValid(end)) {
                end++;
            }
            int from = s * Journal.SECTOR_SIZE;
            int len = (end - s) * Journal.SECTOR_SIZE;
            if (base != null) {
                slots.write(e.slot, from, ByteBuffer.wrap(base, from, len));
            } else {
                if (zeros == null) {
                    zeros = new byte[slotSize];
                }
                slots.write(e.slot, from, ByteBuffer.wrap(zeros, 0, len));
            }
            s = end;
        }
        e.setAllValid(sectorsPerSlot);
    }

    /**
     * The chunk's content in the committed recovery point, padded to the slot size, or null when it
     * is all zeros there.
     */
    byte[] fetchBase(PoolVolume v, long chunk) throws DeviceException {
        for (int attempt = 1; ; attempt++) {
            ChunkId id = null;
            long commits = v.commitCount.get();
            try {
                VolumeManifest m = v.manifest(manifests);
                id = manifests.chunkAt(m, chunk);
                if (id == null) {
                    return null;
                }
                byte[] plain = chunks.get(id);
                metrics.downloaded(plain.length);
                if (plain.length > slotSize) {
                    throw new CorruptChunkException(id.objectKey(), CorruptChunkException.Reason.MALFORMED_HEADER,
                            plain.length + " bytes in a " + slotSize + "-byte chunk");
                }
                return plain.length == slotSize ? plain : java.util.Arrays.copyOf(plain, slotSize);
            } catch (CorruptChunkException ex) {
                log.error("volume {} chunk {}: object {} in the bucket is corrupt ({}); the read fails", v.id, chunk,
                        ex.objectKey(), ex.reason().description());
                throw new DeviceException(DeviceError.MEDIUM_ERROR_READ, ex.getMessage(), ex);
            } catch (CorruptManifestException ex) {
                log.error("volume {} chunk {}: manifest in the bucket is corrupt: {}", v.id, chunk, ex.getMessage());
                throw new DeviceException(DeviceError.MEDIUM_ERROR_READ, ex.getMessage(), ex);
            } catch (NotFoundException ex) {
                if (v.commitCount.get() != commits && attempt < 100) {
                    continue; // read from a root that a commit replaced, and space reclaim freed meanwhile
                }
                String what = id == null ? "a manifest page of volume " + v.id : "object " + id.objectKey();
                log.error("volume {} chunk {}: {} is missing from the bucket; the read fails", v.id, chunk, what);
                throw new DeviceException(DeviceError.MEDIUM_ERROR_READ, what + " is missing from the bucket", ex);
            } catch (ObjectStoreException ex) {
                if (!ex.retryable() || attempt >= FETCH_ATTEMPTS) {
                    throw new DeviceException(DeviceError.NOT_READY, "cannot read chunk " + chunk + " of volume "
                            + v.id + " from the bucket: " + ex.getMessage(), ex);
                }
                sleepQuietly(settings.retryInitial().toMillis() * attempt);
            }
        }
    }

    /** Whether the chunk holds any data (for GET LBA STATUS); may read manifest pages. */
    boolean isMapped(PoolVolume v, long chunk) throws DeviceException {
        Entry e = index.get(new ChunkKey(v.number, chunk));
        if (e != null && !e.removed) {
            return e.slot >= 0;
        }
        try {
            return manifests.chunkAt(v.manifest(manifests), chunk) != null;
        } catch (RuntimeException ex) {
            throw new DeviceException(DeviceError.NOT_READY, "cannot read the manifest of volume " + v.id + ": "
                    + ex.getMessage(), ex);
        }
    }

    /** Makes every completed write of every volume stable. */
    void sync(long seq) throws DeviceException {
        try {
            journal.sync(seq);
        } catch (IOException ex) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "cache flush failed: " + ex.getMessage(), ex);
        }
    }

    private static void zeroFill(ByteBuffer dst, int length) {
        for (int i = 0; i < length; i++) {
            dst.put((byte) 0);
        }
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- compaction ---------------------------------------------------------------------------

    /** Rewrites the journal as a checkpoint of the current state. Called by the uploader thread only. */
    void compactJournal() throws IOException {
        stateLock.writeLock().lock();
        try {
            List<JournalRecord> checkpoint = new ArrayList<>();
            for (PoolVolume v : volumesByNumber.values()) {
                checkpoint.add(new JournalRecord.Volume(v.number, v.size, v.chunkSize, v.id));
                checkpoint.add(new JournalRecord.Commit(v.number, v.head.generation(), v.head.root()));
            }
            for (Map.Entry<ChunkKey, Entry> me : index.entrySet()) {
                Entry e = me.getValue();
                if (e.removed) {
                    continue;
                }
                if (e.state == SlotState.CLEAN) {
                    if (e.slot >= 0 && e.cleanCrcKnown) {
                        checkpoint.add(new JournalRecord.Warm(e.slot, e.key.volume(), e.key.chunk(), e.gen,
                                e.cleanCrc));
                    }
                    continue;
                }
                if (e.slot < 0) {
                    checkpoint.add(new JournalRecord.Zero(e.key.volume(), e.key.chunk(), e.gen));
                } else {
                    checkpoint.add(new JournalRecord.Slot(e.slot, e.key.volume(), e.key.chunk(), e.gen,
                            e.bitmapBytes(sectorsPerSlot)));
                }
            }
            long before = journal.size();
            journal.rewrite(checkpoint);
            metrics.compacted();
            log.debug("cache journal compacted from {} to {} bytes ({} records)", before, journal.size(),
                    checkpoint.size());
        } finally {
            stateLock.writeLock().unlock();
        }
    }

    // ---- life ---------------------------------------------------------------------------------

    /** Live counters and gauges. */
    public CacheMetrics metrics() {
        return metrics;
    }

    /**
     * Uploads and commits everything that is dirty now, ignoring the settle delay, and waits until
     * done or {@code timeout}; true when nothing was left. Writes arriving meanwhile may extend the wait.
     */
    public boolean drain(java.time.Duration timeout) throws InterruptedException {
        return uploader.drain(timeout);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Stops the uploader (uploads in flight finish or are retried at the next open), makes the
     * journal stable and releases the directory. Dirty data stays in the cache for the next open.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        cuts.abandonAll();
        slots.signalSpace();
        prefetcher.close();
        uploader.stop();
        guard.close();
        try {
            journal.syncAll();
        } finally {
            journal.close();
            data.close();
            fileLock.release();
            lockChannel.close();
        }
    }
}
