package dev.stowage.cache;

import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * A store that runs test hooks around some calls, to stop a thread at an exact point (with
 * latches) or to fail calls by key. Hooks run on the calling thread; null hooks do nothing.
 * Thread-safe as the wrapped store.
 */
final class HookedObjectStore extends ForwardingObjectStore {
    /** Before a listing page of this prefix is fetched. */
    volatile Consumer<String> beforeList;
    /** After a listing page of this prefix was fetched. */
    volatile Consumer<String> afterList;
    /** After a HEAD found the key (not called when it is missing). */
    volatile Consumer<String> afterHeadFound;
    /** Before a batch delete of these keys; may throw to fail it. */
    volatile Consumer<Collection<String>> beforeDelete;
    /** After a batch delete of these keys was answered. */
    volatile Consumer<Collection<String>> afterDelete;
    /** Before a put of this key; may throw to fail it. */
    volatile Consumer<String> beforePut;

    HookedObjectStore(ObjectStore delegate) {
        super(delegate);
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        Consumer<String> h = beforeList;
        if (h != null) {
            h.accept(prefix);
        }
        ListPage page = super.list(prefix, continuation, maxKeys);
        Consumer<String> a = afterList;
        if (a != null) {
            a.accept(prefix);
        }
        return page;
    }

    @Override
    public ObjectInfo head(String key) {
        ObjectInfo info = super.head(key);
        Consumer<String> h = afterHeadFound;
        if (h != null) {
            h.accept(key);
        }
        return info;
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        Consumer<Collection<String>> b = beforeDelete;
        if (b != null) {
            b.accept(List.copyOf(keys));
        }
        DeleteResult r = super.delete(keys);
        Consumer<Collection<String>> h = afterDelete;
        if (h != null) {
            h.accept(List.copyOf(keys));
        }
        return r;
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        Consumer<String> h = beforePut;
        if (h != null) {
            h.accept(key);
        }
        return super.put(key, data, options);
    }
}
