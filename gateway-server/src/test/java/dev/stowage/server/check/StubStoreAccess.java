package dev.stowage.server.check;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;

/** Lets tests in other packages use the package-private {@link StubStore}. */
public final class StubStoreAccess {

    public ObjectStore store() {
        return new StubStore();
    }

    public static void fail(ObjectStore store, ObjectStoreException e) {
        ((StubStore) store).failOn(StubStore.Op.LIST, e);
    }

    public static void heal(ObjectStore store) {
        ((StubStore) store).heal();
    }
}
