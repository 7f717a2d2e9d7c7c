package dev.stowage.server;

import dev.stowage.core.store.s3.S3ObjectStore;

/** The production {@link StoreFactory}s. */
final class StoreFactories {

    private StoreFactories() {
    }

    /** The AWS SDK based store of gateway-core. */
    static StoreFactory s3() {
        return S3ObjectStore::new;
    }
}
