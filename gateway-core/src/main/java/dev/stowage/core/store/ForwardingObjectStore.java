package dev.stowage.core.store;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Objects;

/**
 * An {@link ObjectStore} that passes every call to another one. Layers that change only some
 * calls (counting, tampering, dropping conditions) extend it and override just those.
 *
 * <p>{@link #putLarge(String, Path, PutOptions, UploadPacer)} goes to the wrapped store's, so the
 * pacer is asked part by part; but when a subclass overrides only the three-argument
 * {@code putLarge}, the four-argument one goes through that override instead (pacing the whole
 * file first, as {@link ObjectStore}'s default does), so no layer is ever skipped.
 *
 * <p><b>Threading and errors:</b> as the wrapped store; this class adds no state and no errors.
 */
public abstract class ForwardingObjectStore implements ObjectStore {
    private final ObjectStore delegate;

    private final boolean putLargeChanged;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.putLargeChanged = overridesOnlyThreeArgumentPutLarge(getClass());
    }

    private static boolean overridesOnlyThreeArgumentPutLarge(Class<?> type) {
        try {
            Class<?> three = type.getMethod("putLarge", String.class, Path.class, PutOptions.class).getDeclaringClass();
            Class<?> four = type.getMethod("putLarge", String.class, Path.class, PutOptions.class, UploadPacer.class)
                    .getDeclaringClass();
            return three != ForwardingObjectStore.class && four == ForwardingObjectStore.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
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
        if (putLargeChanged) {
            return ObjectStore.super.putLarge(key, file, options, pacer);
        }
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
