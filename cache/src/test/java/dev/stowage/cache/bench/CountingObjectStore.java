package dev.stowage.cache.bench;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/**
 * Forwards to another store and counts the objects and bytes written (put, putLarge), so a
 * benchmark can report everything that went up: data chunks, manifest pages, volume heads and
 * snapshot records. Thread-safe; errors of the wrapped store pass through unchanged.
 */
final class CountingObjectStore implements ObjectStore {
    private final ObjectStore inner;
    private final LongAdder puts = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    CountingObjectStore(ObjectStore inner) {
        this.inner = inner;
    }

    long puts() {
        return puts.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        PutResult r = inner.put(key, data, options);
        puts.increment();
        bytes.add(data.length);
        return r;
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        PutResult r = inner.putLarge(key, file, options);
        puts.increment();
        try {
            bytes.add(Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        return inner.get(key, range);
    }

    @Override
    public ObjectInfo head(String key) {
        return inner.head(key);
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        return inner.list(prefix, continuation, maxKeys);
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        return inner.delete(keys);
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        return inner.copy(sourceKey, targetKey, options);
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        inner.requestRestore(key, days, tier);
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        inner.close();
    }
}
