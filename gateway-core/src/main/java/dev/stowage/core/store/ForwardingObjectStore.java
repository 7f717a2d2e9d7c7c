package dev.stowage.core.store;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;

/**
 * An {@link ObjectStore} that passes every call to another one. Layers that change only some
 * calls (counting, tampering, dropping conditions) extend it and override just those.
 *
 * <p><b>Threading and errors:</b> as the wrapped store; this class adds no state and no errors.
 */
public abstract class ForwardingObjectStore implements ObjectStore {
    private final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped store. */
    protected final ObjectStore delegate() {
        return delegate;
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        return delegate.put(key, data, options);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return delegate.putLarge(key, file, options);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options, UploadPacer pacer) {
        return delegate.putLarge(key, file, options, pacer);
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
        return delegate.copy(sourceKey, targetKey, options);
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        delegate.requestRestore(key, days, tier);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
