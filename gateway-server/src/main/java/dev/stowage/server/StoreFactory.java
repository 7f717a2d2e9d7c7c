package dev.stowage.server;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.s3.S3Settings;

/** Opens the object store for validated settings. Must not contact the store yet (the bucket check does). */
@FunctionalInterface
public interface StoreFactory {
    ObjectStore open(S3Settings settings);
}
