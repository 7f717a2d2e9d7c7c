package dev.stowage.server.check;

import dev.stowage.core.store.ArchiveState;
import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StorageClass;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.UnaryOperator;

/**
 * A small in-memory store for the bucket-check tests: put/get/list/delete work, and a test can make
 * one operation throw a given {@link ObjectStoreException} or corrupt what get returns.
 * Thread-safe enough for these tests (concurrent maps, volatile switches).
 */
final class StubStore implements ObjectStore {

    enum Op { LIST, PUT, GET, DELETE }

    final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    private final Map<Op, ObjectStoreException> failures = new java.util.concurrent.ConcurrentHashMap<>();
    volatile UnaryOperator<byte[]> readFilter = UnaryOperator.identity();
    volatile Map<String, String> deleteFailures = Map.of();

    StubStore failOn(Op op, ObjectStoreException e) {
        failures.put(op, e);
        return this;
    }

    void heal() {
        failures.clear();
    }

    private void maybeFail(Op op) {
        ObjectStoreException e = failures.get(op);
        if (e != null) {
            throw e;
        }
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        maybeFail(Op.PUT);
        objects.put(key, data.clone());
        return new PutResult(key, "etag-" + key.hashCode(), data.length);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        maybeFail(Op.GET);
        byte[] b = objects.get(key);
        if (b == null) {
            throw new NotFoundException("no object " + key);
        }
        return readFilter.apply(b.clone());
    }

    @Override
    public ObjectInfo head(String key) {
        byte[] b = objects.get(key);
        if (b == null) {
            throw new NotFoundException("no object " + key);
        }
        return new ObjectInfo(key, b.length, "etag", Instant.EPOCH, StorageClass.STANDARD, ArchiveState.ONLINE, Map.of());
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        maybeFail(Op.LIST);
        TreeMap<String, byte[]> sub = new TreeMap<>(objects.tailMap(prefix));
        return new ListPage(sub.keySet().stream().filter(k -> k.startsWith(prefix)).limit(maxKeys)
                .map(this::head).toList(), null);
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        maybeFail(Op.DELETE);
        Map<String, String> failed = new HashMap<>();
        int n = 0;
        for (String k : keys) {
            if (deleteFailures.containsKey(k) || !deleteFailures.isEmpty()) {
                failed.put(k, deleteFailures.getOrDefault(k, "AccessDenied"));
            } else {
                objects.remove(k);
                n++;
            }
        }
        return new DeleteResult(n, failed);
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String describe() {
        return "stub store";
    }

    @Override
    public void close() {
    }
}
