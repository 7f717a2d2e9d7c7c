package dev.stowage.core.store.memory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import dev.stowage.core.store.ArchiveState;
import dev.stowage.core.store.ArchivedException;
import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PreconditionFailedException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StorageClass;
import dev.stowage.core.store.StoreArguments;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.UploadPacer;

/**
 * A complete {@link ObjectStore} in memory, for tests and demos: the same argument checks, ETags
 * (MD5 of the content; {@code md5-of-part-md5s-N} for multipart), conditional writes, clipped ranges,
 * paginated listings, storage classes and archive states as S3.
 *
 * <p><b>Archive simulation.</b> Objects written with a cold storage class (GLACIER, DEEP_ARCHIVE),
 * or moved there with {@link #archive(String, StorageClass)}, are {@link ArchiveState#ARCHIVED}: reads
 * and copies fail with {@link ArchivedException}. {@link #requestRestore} makes them
 * {@link ArchiveState#RESTORING}; a test then calls {@link #completeRestore(String)} to make them
 * {@link ArchiveState#RESTORED} (readable) for the requested days, measured on the injected
 * {@link Clock}; {@link #expireRestore(String)} ends that early.
 *
 * <p><b>Multipart simulation.</b> {@link #putLarge} on files of at least the multipart threshold reads
 * the file in parts, registering an in-progress upload that {@link #multipartUploadsInProgress()}
 * shows; on any failure (a local read error, a failing condition, or one injected with
 * {@link #failMultipartAtPart}) the upload is dropped and nothing is stored, like an aborted upload.
 *
 * <p><b>Threading:</b> thread-safe. Writes take one lock (so conditional writes are atomic); reads
 * see immutable snapshots of objects without locking. After {@link #close()} every call fails
 * with {@link IllegalStateException}.
 */
public final class InMemoryObjectStore implements ObjectStore {

    /** Default threshold for the multipart path: 8 MiB. */
    public static final long DEFAULT_MULTIPART_THRESHOLD = 8L * 1024 * 1024;
    /** Default simulated part size: 5 MiB, S3's minimum. */
    public static final long DEFAULT_PART_SIZE = 5L * 1024 * 1024;

    private record Stored(byte[] data, String etag, Instant lastModified, StorageClass storageClass,
                          Map<String, String> metadata, String contentType, Restore restore) {
        Stored withRestore(Restore r) {
            return new Stored(data, etag, lastModified, storageClass, metadata, contentType, r);
        }
    }

    /** Restore status: in progress (expiry null) or done until {@code expiry}. */
    private record Restore(int days, Instant expiry) {
    }

    private final String name;
    private final Clock clock;
    private final long multipartThreshold;
    private final long partSize;
    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final Map<Long, String> uploads = new ConcurrentHashMap<>();
    private final AtomicLong nextUploadId = new AtomicLong(1);
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicReference<PartFault> partFault =
            new java.util.concurrent.atomic.AtomicReference<>();

    private record PartFault(int partNumber, Supplier<? extends RuntimeException> error) {
    }

    /** A store named "memory" on the system clock with the default multipart threshold and part size. */
    public InMemoryObjectStore() {
        this("memory", Clock.systemUTC(), DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE);
    }

    /**
     * @param name               shows in {@link #describe()}
     * @param clock              time for last-modified dates and restore expiry
     * @param multipartThreshold files at least this large take the multipart path in {@link #putLarge}
     * @param partSize           simulated part size (at least 1)
     */
    public InMemoryObjectStore(String name, Clock clock, long multipartThreshold, long partSize) {
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (partSize < 1 || multipartThreshold < 1) {
            throw new IllegalArgumentException("multipartThreshold and partSize must be >= 1");
        }
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        ensureOpen();
        StoreArguments.key(key, "");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        Map<String, String> metadata = StoreArguments.metadata(options.metadata());
        byte[] copy = data.clone();
        return store(key, copy, hex(md5(copy)), options, metadata);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return putLarge(key, file, options, UploadPacer.NONE);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options, UploadPacer pacer) {
        ensureOpen();
        Objects.requireNonNull(pacer, "pacer");
        StoreArguments.key(key, "");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Map<String, String> metadata = StoreArguments.metadata(options.metadata());
        long size;
        try {
            size = Files.size(file);
            if (size < multipartThreshold) {
                byte[] data = Files.readAllBytes(file);
                pace(pacer, data.length, key);
                return put(key, data, options);
            }
        } catch (IOException e) {
            throw new StoreFailureException("cannot read the local file " + file + " to upload it as " + key + ": "
                    + e.getMessage(), e);
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the in-memory store holds objects up to 2 GiB; " + file + " has "
                    + size + " bytes");
        }
        long uploadId = nextUploadId.getAndIncrement();
        uploads.put(uploadId, key);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] all = new byte[(int) size];
            int parts = (int) ((size + partSize - 1) / partSize);
            MessageDigest partDigests = digest();
            for (int n = 1; n <= parts; n++) {
                PartFault fault = partFault.get();
                if (fault != null && fault.partNumber() == n && partFault.compareAndSet(fault, null)) {
                    throw fault.error().get();
                }
                int offset = (int) ((n - 1) * partSize);
                int length = (int) Math.min(partSize, size - offset);
                pace(pacer, length, key);
                ByteBuffer buf = ByteBuffer.wrap(all, offset, length);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, buf.position()) < 0) {
                        throw new EOFException(file + " ended at " + buf.position() + " bytes during the upload");
                    }
                }
                partDigests.update(md5(Arrays.copyOfRange(all, offset, offset + length)));
            }
            return store(key, all, hex(partDigests.digest()) + "-" + parts, options, metadata);
        } catch (IOException e) {
            throw new StoreFailureException("cannot read the local file " + file + " for the upload of " + key + ": "
                    + e.getMessage(), e);
        } finally {
            uploads.remove(uploadId);
        }
    }

    private static void pace(UploadPacer pacer, long bytes, String key) {
        try {
            pacer.beforeUpload(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreFailureException("interrupted while trying to upload " + key, e);
        }
    }

    private PutResult store(String key, byte[] data, String etag, PutOptions options, Map<String, String> metadata) {
        writeLock.lock();
        try {
            Stored current = objects.get(key);
            checkCondition(key, current, options);
            objects.put(key, new Stored(data, etag, clock.instant(), options.storageClass(), metadata,
                    options.contentType(), null));
            return new PutResult(key, etag, data.length);
        } finally {
            writeLock.unlock();
        }
    }

    private void checkCondition(String key, Stored current, PutOptions options) {
        if (options.ifNoneMatch() && current != null) {
            throw new PreconditionFailedException("'" + key + "' already exists in " + describe()
                    + " (the write asked for If-None-Match: *)");
        }
        if (options.ifMatch() != null && (current == null || !current.etag().equals(options.ifMatch()))) {
            throw new PreconditionFailedException("'" + key + "' in " + describe() + " is "
                    + (current == null ? "absent" : "at ETag " + current.etag()) + ", not at the expected ETag "
                    + options.ifMatch() + " (If-Match)");
        }
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        ensureOpen();
        StoreArguments.key(key, "");
        Objects.requireNonNull(range, "range");
        Stored s = readable(key);
        long start = Math.min(range.offset(), s.data().length);
        long end = range.length() == -1 ? s.data().length : Math.min(s.data().length, range.offset() + range.length());
        return Arrays.copyOfRange(s.data(), (int) start, (int) Math.max(start, end));
    }

    @Override
    public ObjectInfo head(String key) {
        ensureOpen();
        StoreArguments.key(key, "");
        Stored s = existing(key);
        return new ObjectInfo(key, s.data().length, s.etag(), s.lastModified(), s.storageClass(), state(s),
                s.metadata());
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        ensureOpen();
        Objects.requireNonNull(prefix, "prefix");
        StoreArguments.maxKeys(maxKeys);
        NavigableMap<String, Stored> tail = continuation == null ? objects.tailMap(prefix, true)
                : objects.tailMap(continuation, false);
        List<ObjectInfo> out = new ArrayList<>();
        String last = null;
        boolean more = false;
        for (var e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                if (e.getKey().compareTo(prefix) > 0) {
                    break;
                }
                continue;
            }
            if (out.size() == maxKeys) {
                more = true;
                break;
            }
            Stored s = e.getValue();
            out.add(new ObjectInfo(e.getKey(), s.data().length, s.etag(), s.lastModified(), s.storageClass(),
                    s.storageClass().isArchive() ? ArchiveState.ARCHIVED : ArchiveState.ONLINE, Map.of()));
            last = e.getKey();
        }
        return new ListPage(out, more ? last : null);
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        ensureOpen();
        Objects.requireNonNull(keys, "keys");
        Set<String> unique = new LinkedHashSet<>(keys);
        unique.forEach(k -> StoreArguments.key(k, ""));
        writeLock.lock();
        try {
            unique.forEach(objects::remove);
        } finally {
            writeLock.unlock();
        }
        return new DeleteResult(unique.size(), Map.of());
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        ensureOpen();
        StoreArguments.key(sourceKey, "");
        StoreArguments.key(targetKey, "");
        StoreArguments.copyOptions(options);
        Map<String, String> metadata = StoreArguments.metadata(options.metadata());
        Stored s;
        try {
            s = readable(sourceKey);
        } catch (NotFoundException e) {
            throw new NotFoundException("cannot copy: no source object '" + sourceKey + "' in " + describe(), e);
        }
        // Like S3's single-request copy: the new object's ETag is the MD5 of its content.
        return store(targetKey, s.data(), hex(md5(s.data())), options, metadata);
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        ensureOpen();
        StoreArguments.key(key, "");
        StoreArguments.restoreDays(days);
        Objects.requireNonNull(tier, "tier");
        writeLock.lock();
        try {
            Stored s = existing(key);
            if (!s.storageClass().isArchive()) {
                throw new StoreFailureException("'" + key + "' in " + describe() + " is not in an archive storage "
                        + "class, so there is nothing to restore (InvalidObjectState): read it directly.");
            }
            Restore r = s.restore();
            if (r == null || r.expiry() == null || !r.expiry().isAfter(clock.instant())) {
                objects.put(key, s.withRestore(new Restore(days, null)));     // (re)start a restore
            } else {
                objects.put(key, s.withRestore(new Restore(days, clock.instant().plus(Duration.ofDays(days)))));
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String describe() {
        return "in-memory object store '" + name + "'";
    }

    /** Marks the store closed: later calls fail with {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
    }

    // ---- test controls ------------------------------------------------------------------------

    /** Moves an existing object to a cold storage class (as a lifecycle rule would): it becomes ARCHIVED. */
    public void archive(String key, StorageClass coldClass) {
        if (!coldClass.isArchive()) {
            throw new IllegalArgumentException(coldClass + " is not an archive storage class");
        }
        writeLock.lock();
        try {
            Stored s = existing(key);
            objects.put(key, new Stored(s.data(), s.etag(), s.lastModified(), coldClass, s.metadata(),
                    s.contentType(), null));
        } finally {
            writeLock.unlock();
        }
    }

    /** Finishes a requested restore: the object is readable for the requested days from now. */
    public void completeRestore(String key) {
        writeLock.lock();
        try {
            Stored s = existing(key);
            if (state(s) != ArchiveState.RESTORING) {
                throw new IllegalStateException("'" + key + "' has no restore in progress (it is " + state(s) + ")");
            }
            objects.put(key, s.withRestore(new Restore(s.restore().days(),
                    clock.instant().plus(Duration.ofDays(s.restore().days())))));
        } finally {
            writeLock.unlock();
        }
    }

    /** Ends the restored copy of an object now: it is ARCHIVED again. */
    public void expireRestore(String key) {
        writeLock.lock();
        try {
            objects.put(key, existing(key).withRestore(null));
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The next multipart {@link #putLarge} fails with {@code error} when it reaches part
     * {@code partNumber} (1-based), after the earlier parts were "sent"; the upload is then dropped.
     */
    public void failMultipartAtPart(int partNumber, Supplier<? extends RuntimeException> error) {
        if (partNumber < 1) {
            throw new IllegalArgumentException("partNumber must be >= 1");
        }
        partFault.set(new PartFault(partNumber, Objects.requireNonNull(error, "error")));
    }

    /** Keys of multipart uploads that are in progress right now (none once every putLarge has returned). */
    public List<String> multipartUploadsInProgress() {
        return List.copyOf(uploads.values());
    }

    /** Number of objects stored. */
    public int objectCount() {
        return objects.size();
    }

    // ---- internals ----------------------------------------------------------------------------

    private Stored existing(String key) {
        Stored s = objects.get(key);
        if (s == null) {
            throw new NotFoundException("no object '" + key + "' in " + describe());
        }
        return s;
    }

    private Stored readable(String key) {
        Stored s = existing(key);
        ArchiveState st = state(s);
        if (st == ArchiveState.ARCHIVED || st == ArchiveState.RESTORING) {
            throw new ArchivedException("'" + key + "' in " + describe() + " is in archive storage class "
                    + s.storageClass() + (st == ArchiveState.RESTORING ? " and its restore is still in progress"
                    : "") + " (InvalidObjectState): request a restore and wait until it completes");
        }
        return s;
    }

    private ArchiveState state(Stored s) {
        if (!s.storageClass().isArchive()) {
            return ArchiveState.ONLINE;
        }
        Restore r = s.restore();
        if (r == null) {
            return ArchiveState.ARCHIVED;
        }
        if (r.expiry() == null) {
            return ArchiveState.RESTORING;
        }
        return r.expiry().isAfter(clock.instant()) ? ArchiveState.RESTORED : ArchiveState.ARCHIVED;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(describe() + " is closed");
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    private static byte[] md5(byte[] data) {
        return digest().digest(data);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
