package dev.stowage.cache.bench;

import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * Forwards to another store and counts the objects and bytes written (put, putLarge), so a
 * benchmark can report everything that went up: data chunks, manifest pages, volume heads and
 * snapshot records. Thread-safe; errors of the wrapped store pass through unchanged.
 */
final class CountingObjectStore extends ForwardingObjectStore {
    private final LongAdder puts = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    CountingObjectStore(ObjectStore inner) {
        super(inner);
    }

    long puts() {
        return puts.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        PutResult r = delegate().put(key, data, options);
        puts.increment();
        bytes.add(data.length);
        return r;
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        PutResult r = delegate().putLarge(key, file, options);
        puts.increment();
        try {
            bytes.add(Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return r;
    }

}
