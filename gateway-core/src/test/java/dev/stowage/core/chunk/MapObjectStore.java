package dev.stowage.core.chunk;

import dev.stowage.core.store.ArchiveState;
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
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A map-backed store for the chunk tests, with per-operation call counters. Supports what the chunk
 * store uses (put with If-None-Match, get, head, list, delete); the rest is unsupported. Thread-safe.
 */
public final class MapObjectStore implements ObjectStore {

    public final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    public final AtomicInteger puts = new AtomicInteger();
    public final AtomicInteger gets = new AtomicInteger();
    public final AtomicInteger heads = new AtomicInteger();
    public final AtomicInteger deletes = new AtomicInteger();
    /** When false, puts ignore If-None-Match like a store without conditional writes. */
    volatile boolean conditionalWrites = true;
    /** When set, the next put throws it instead of storing. */
    volatile RuntimeException failNextPut;

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        puts.incrementAndGet();
        RuntimeException failure = failNextPut;
        if (failure != null) {
            failNextPut = null;
            throw failure;
        }
        byte[] copy = data.clone();
        if (options.ifNoneMatch() && conditionalWrites) {
            if (objects.putIfAbsent(key, copy) != null) {
                throw new PreconditionFailedException("object exists: " + key);
            }
        } else {
            objects.put(key, copy);
        }
        return new PutResult(key, Integer.toHexString(Arrays.hashCode(copy)), copy.length);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        throw new UnsupportedOperationException("not used by chunk tests");
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        gets.incrementAndGet();
        byte[] data = objects.get(key);
        if (data == null) {
            throw new NotFoundException("no object " + key);
        }
        if (range.isAll()) {
            return data.clone();
        }
        int from = (int) Math.min(range.offset(), data.length);
        int to = range.length() < 0 ? data.length : (int) Math.min(data.length, range.offset() + range.length());
        return Arrays.copyOfRange(data, from, to);
    }

    @Override
    public ObjectInfo head(String key) {
        heads.incrementAndGet();
        byte[] data = objects.get(key);
        if (data == null) {
            throw new NotFoundException("no object " + key);
        }
        return info(key, data);
    }

    private static ObjectInfo info(String key, byte[] data) {
        return new ObjectInfo(key, data.length, Integer.toHexString(Arrays.hashCode(data)), Instant.EPOCH,
                dev.stowage.core.store.StorageClass.STANDARD, ArchiveState.ONLINE, Map.of());
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        List<ObjectInfo> page = new ArrayList<>();
        var tail = continuation == null ? objects.tailMap(prefix, true) : objects.tailMap(continuation, false);
        String last = null;
        for (var e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (page.size() == maxKeys) {
                return new ListPage(page, last);
            }
            page.add(info(e.getKey(), e.getValue()));
            last = e.getKey();
        }
        return new ListPage(page, null);
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        deletes.incrementAndGet();
        keys.forEach(objects::remove);
        return new DeleteResult(keys.size(), Map.of());
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        return put(targetKey, get(sourceKey), options);
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        throw new UnsupportedOperationException("not used by chunk tests");
    }

    @Override
    public String describe() {
        return "map store for chunk tests";
    }

    @Override
    public void close() {
    }
}
