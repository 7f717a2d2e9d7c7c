package dev.stowage.core.chunk;

import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import java.nio.file.Path;

/** Behaves like an S3-compatible store without conditional writes: If-None-Match is silently ignored. */
final class IgnoresConditionsStore extends ForwardingObjectStore {

    IgnoresConditionsStore(ObjectStore delegate) {
        super(delegate);
    }

    private static PutOptions unconditional(PutOptions o) {
        return new PutOptions(o.metadata(), o.storageClass(), o.contentType(), false, null);
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        return delegate().put(key, data, unconditional(options));
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return delegate().putLarge(key, file, unconditional(options));
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        return delegate().copy(sourceKey, targetKey, unconditional(options));
    }

    @Override
    public String describe() {
        return delegate().describe() + " (conditions ignored)";
    }

}
