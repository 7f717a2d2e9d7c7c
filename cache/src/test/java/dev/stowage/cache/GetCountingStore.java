package dev.stowage.cache;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.UnavailableException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards to another store, counting GETs per key; optionally fails every GET made from a
 * thread whose name starts with a given prefix (e.g. the cache's prefetch threads) with a
 * retryable {@link UnavailableException}, leaving GETs from other threads alone. Thread-safe.
 */
final class GetCountingStore extends ForwardingObjectStore {
    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    private volatile String failThreadsNamed;

    GetCountingStore(ObjectStore inner) {
        super(inner);
    }

    /** From now on, GETs from threads whose name starts with {@code prefix} fail; null: none. */
    void failGetsFromThreads(String prefix) {
        failThreadsNamed = prefix;
    }

    /** Successful and failed GETs of {@code key} so far. */
    int gets(String key) {
        AtomicInteger n = gets.get(key);
        return n == null ? 0 : n.get();
    }

    /** GETs of every key so far. */
    /** GETs of chunk objects (data chunks and manifests), not of heads or owner records. */
    int totalGets() {
        return gets.entrySet().stream().filter(e -> e.getKey().startsWith("chunks/"))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        gets.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        String prefix = failThreadsNamed;
        if (prefix != null && Thread.currentThread().getName().startsWith(prefix)) {
            throw new UnavailableException("injected failure of a GET from " + Thread.currentThread().getName(),
                    null);
        }
        return super.get(key, range);
    }
}
