package dev.stowage.server.check;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.file.Path;
import java.util.Collection;
import java.util.function.UnaryOperator;

/**
 * Misbehaviours the fault-injecting store does not cover, for the bucket-check tests: reads that
 * return different bytes than were written, and batch deletes that report keys as not deleted.
 * Delegates everything else to an {@link InMemoryObjectStore}. Thread-safe (volatile switches).
 */
final class TamperingStore implements ObjectStore {

    final InMemoryObjectStore delegate = new InMemoryObjectStore();
    volatile UnaryOperator<byte[]> readFilter = UnaryOperator.identity();
    volatile String deleteRefusal;

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        return delegate.put(key, data, options);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return delegate.putLarge(key, file, options);
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        return readFilter.apply(delegate.get(key, range));
    }

    @Override
    public ObjectInfo head(String key) {
        return delegate.head(key);
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        return delegate.list(prefix, continuation, maxKeys);
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        String refusal = deleteRefusal;
        if (refusal != null) {
            return new DeleteResult(0, keys.stream().collect(java.util.stream.Collectors.toMap(k -> k, k -> refusal)));
        }
        return delegate.delete(keys);
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        return delegate.copy(sourceKey, targetKey, options);
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        delegate.requestRestore(key, days, tier);
    }

    @Override
    public String describe() {
        return "tampering " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }

}
