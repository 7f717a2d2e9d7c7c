package dev.stowage.server.cache;

import dev.stowage.cache.CachePool;
import dev.stowage.cache.CacheSettings;
import dev.stowage.cache.CachedVolume;
import dev.stowage.cache.VolumeHead;
import dev.stowage.cache.reclaim.ReclaimSettings;
import dev.stowage.cache.reclaim.Reclaimer;
import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkCodec;
import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.chunk.KeyRing;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.server.config.CacheConfig;
import dev.stowage.server.config.IscsiSettings;
import dev.stowage.server.lifecycle.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-back cache of the cached volumes: at start it loads (or, on a bucket without volumes,
 * generates) the chunk-id secret and the optional encryption keys under {@code <data_dir>/keys},
 * opens the {@link CachePool} in {@code cache.dir} (replaying its journal), and opens every cached
 * volume the configuration exports, creating it in the bucket when it does not exist yet.
 *
 * <p>{@link #stop()} flushes, gives the uploader a short bounded drain ({@link #STOP_DRAIN}) and
 * closes the pool; data not uploaded by then is safe in the journal and is uploaded after the next
 * start. The front ends that use its volumes must stop first (the daemon starts this service
 * before them, so it stops after them).
 *
 * <p>Errors at start are an {@link IOException} with one line saying what to fix: a missing key
 * file while the bucket holds volumes, a volume whose size differs from the configuration, a
 * cache directory in use or damaged. Threading: start/stop from one thread; {@link #volume} may
 * be called from any thread once started.
 */
public final class CacheService implements Service {

    private static final Logger log = LoggerFactory.getLogger(CacheService.class);

    /** How long {@link #stop()} lets the uploader work before closing; dirty data stays in the journal. */
    public static final Duration STOP_DRAIN = Duration.ofSeconds(5);

    /** Manifest pages kept in memory per pool. */
    private static final int MANIFEST_PAGE_CACHE = 256;

    private final CacheConfig config;
    private final ObjectStore store;
    private final List<IscsiSettings.Lun> luns;
    private final Map<String, CachedVolume> volumes = new LinkedHashMap<>();
    private CachePool pool;
    private Reclaimer reclaimer;
    private BucketChunkStore chunks;
    private ManifestStore manifests;

    /**
     * @param config the checked {@code cache} section
     * @param store  the bucket
     * @param luns   the cached LUNs to open (or create)
     */
    public CacheService(CacheConfig config, ObjectStore store, List<IscsiSettings.Lun> luns) {
        this.config = config;
        this.store = store;
        this.luns = List.copyOf(luns);
    }

    @Override
    public String name() {
        return "cache";
    }

    @Override
    public synchronized void start() throws IOException {
        if (pool != null) {
            throw new IllegalStateException("already started");
        }
        ChunkHasher hasher = chunkIdKey();
        KeyRing ring = config.encryptionKeyFile() == null ? null : encryptionKeys(config.encryptionKeyFile());
        ChunkCodec codec = new ChunkCodec(ChunkCodec.Settings.DEFAULT.withEncryption(ring != null), ring);
        // Conditional puts dedup with one request per new chunk; stores that refuse them get HEAD + PUT.
        BucketChunkStore chunks = new BucketChunkStore(store, hasher, codec,
                BucketChunkStore.Options.DEFAULT.withProbe(BucketChunkStore.DedupProbe.AUTO));
        ManifestStore manifests = new ManifestStore(chunks, MANIFEST_PAGE_CACHE);
        CacheSettings settings = CacheSettings.defaults(config.dir(), config.slotCount())
                .withSlotSize(config.chunkSize()).withSettleDelay(config.settleDelay())
                .withUploadThreads(config.uploadParallelism());
        CachePool p;
        try {
            p = CachePool.open(settings, chunks, manifests, store);
        } catch (IOException e) {
            throw new IOException("cannot open the cache in " + config.dir() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot open the cache in " + config.dir() + ": " + e.getMessage()
                    + " (cache.size and cache.chunk_size cannot change while the cache holds data)", e);
        }
        try {
            for (IscsiSettings.Lun lun : luns) {
                volumes.put(lun.volume(), openOrCreate(p, lun));
            }
        } catch (IOException | RuntimeException e) {
            closeVolumes();
            p.close();
            throw e;
        }
        pool = p;
        this.chunks = chunks;
        this.manifests = manifests;
        Reclaimer r = new Reclaimer(store, chunks, ReclaimSettings.DEFAULT);
        r.attach(p); // the pool's uncommitted uploads are live; deleting a snapshot requests a run
        reclaimer = r;
        log.atInfo().addKeyValue("dir", config.dir()).addKeyValue("bytes", config.sizeBytes())
                .addKeyValue("volumes", volumes.size()).log("cache open");
    }

    /** The opened volume {@code id}; null when the service has not started or does not export it. */
    public synchronized CachedVolume volume(String id) {
        return volumes.get(id);
    }

    /** The chunk store of the bucket (shared with stored volumes: same keys, chunk size, encryption); null before start. */
    public synchronized BucketChunkStore chunks() {
        return chunks;
    }

    /** The manifest store over {@link #chunks()}; null before start. */
    public synchronized ManifestStore manifests() {
        return manifests;
    }

    /** The checked {@code cache} section. */
    public CacheConfig config() {
        return config;
    }

    /**
     * Space reclaim over the bucket's chunks (the pool is attached; other engines that share the
     * chunk store register their live chunks with it); null before start and after stop.
     */
    public synchronized Reclaimer reclaimer() {
        return reclaimer;
    }

    /** The pool; null before start and after stop. */
    public synchronized CachePool pool() {
        return pool;
    }

    @Override
    public synchronized void stop() {
        if (pool == null) {
            return;
        }
        CachePool p = pool;
        pool = null;
        if (reclaimer != null) {
            reclaimer.close(); // a run in progress stops; it is safe to re-run at any time
            reclaimer = null;
        }
        closeVolumes();
        try {
            if (!p.drain(STOP_DRAIN)) {
                log.info("stopping with data not yet uploaded; it is safe in the cache journal and is uploaded after the next start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("cache drain at stop failed: {}", e.getMessage());
        }
        try {
            p.close();
        } catch (IOException | RuntimeException e) {
            log.atError().setCause(e).log("the cache could not be closed cleanly: {}", e.getMessage());
        }
    }

    @Override
    public synchronized String describe() {
        if (pool == null) {
            return null;
        }
        return config.dir() + ", " + size(config.sizeBytes()) + ", " + size(config.chunkSize()) + " chunks"
                + (config.encryptionKeyFile() == null ? "" : ", chunks encrypted")
                + "\nchunk-id key " + config.chunkIdKeyFile() + " (back it up)";
    }

    private static String size(long bytes) {
        return bytes % (1L << 30) == 0 ? (bytes >> 30) + " GiB" : bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB"
                : (bytes >> 10) + " KiB";
    }

    private void closeVolumes() {
        for (CachedVolume v : volumes.values()) {
            try {
                v.close();
            } catch (Exception e) {
                log.atError().setCause(e).log("cached volume {} could not be flushed: {}", v.id(), e.getMessage());
            }
        }
        volumes.clear();
    }

    private CachedVolume openOrCreate(CachePool p, IscsiSettings.Lun lun) throws IOException {
        String id = lun.volume();
        boolean known = p.volumeIds().contains(id) || exists(id);
        if (!known) {
            CachedVolume v = p.createVolume(id, lun.sizeBytes(), lun.blockSize());
            log.atInfo().addKeyValue("volume", id).addKeyValue("bytes", lun.sizeBytes()).log("created cached volume");
            return v;
        }
        CachedVolume v;
        try {
            v = p.openVolume(id, lun.blockSize());
        } catch (dev.stowage.cache.VolumeInUseException e) {
            throw new IOException("cannot open cached volume " + id + ": " + e.getMessage()
                    + " (a gateway that is gone gives the volume up 5 minutes after its last refresh)", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot open cached volume " + id + ": " + e.getMessage(), e);
        }
        long actual = v.blockCount() * v.blockSize();
        if (actual != lun.sizeBytes()) {
            throw new IOException("cached volume " + id + " is " + actual + " bytes in the bucket, but the configuration says "
                    + lun.sizeBytes() + "; set its LUN's size to " + actual + " (volumes are never grown or cut)");
        }
        return v;
    }

    private boolean exists(String id) throws IOException {
        try {
            return store.find(VolumeHead.objectKey(id)).isPresent();
        } catch (ObjectStoreException e) {
            throw new IOException("cannot look up volume " + id + " in the bucket: " + e.getMessage(), e);
        }
    }

    /** Loads the chunk-id secret, or generates it when the bucket holds no volume yet. */
    private ChunkHasher chunkIdKey() throws IOException {
        Path file = config.chunkIdKeyFile();
        if (Files.exists(file)) {
            try {
                return ChunkHasher.fromKeyFile(file);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        refuseIfVolumesExist(file, "chunk-id key file");
        createKeysDir();
        log.atWarn().addKeyValue("file", file).log("generated the chunk-id key; back it up: without it the volume "
                + "data in the bucket cannot be addressed");
        return ChunkHasher.generateKeyFile(file);
    }

    private KeyRing encryptionKeys(Path file) throws IOException {
        if (Files.exists(file)) {
            try {
                return KeyRing.load(file);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        refuseIfVolumesExist(file, "encryption key file");
        Files.createDirectories(file.toAbsolutePath().getParent());
        log.atWarn().addKeyValue("file", file).log("generated the chunk encryption key; back it up: without it the "
                + "volume data in the bucket cannot be read");
        return KeyRing.generateKeyFile(file);
    }

    private void refuseIfVolumesExist(Path file, String what) throws IOException {
        boolean any;
        try {
            any = !store.list("volumes/", null, 1).objects().isEmpty();
        } catch (ObjectStoreException e) {
            throw new IOException("cannot list volumes/ in the bucket: " + e.getMessage(), e);
        }
        if (any) {
            throw new IOException("the " + what + " " + file + " is missing, but the bucket already holds volumes: "
                    + "their data cannot be addressed without it; restore the file from your backup");
        }
    }

    private void createKeysDir() throws IOException {
        Path dir = config.keysDir();
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir.toAbsolutePath().getParent());
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(dir);
        }
    }
}
