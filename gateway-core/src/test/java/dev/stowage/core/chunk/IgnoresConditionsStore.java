package dev.stowage.core.chunk;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import java.nio.file.Path;
import java.util.Collection;

/** Behaves like an S3-compatible store without conditional writes: If-None-Match is silently ignored. */
final class IgnoresConditionsStore implements ObjectStore {

    private final ObjectStore delegate;

    IgnoresConditionsStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    private static PutOptions unconditional(PutOptions o) {
        return new PutOptions(o.metadata(), o.storageClass(), o.contentType(), false, null);
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        return delegate.put(key, data, unconditional(options));
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return delegate.putLarge(key, file, unconditional(options));
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        return delegate.get(key, range);
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
        return delegate.delete(keys);
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        return delegate.copy(sourceKey, targetKey, unconditional(options));
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        delegate.requestRestore(key, days, tier);
    }

    @Override
    public String describe() {
        return delegate.describe() + " (conditions ignored)";
    }

    @Override
    public void close() {
        delegate.close();
    }
}
