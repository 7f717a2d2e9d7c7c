package dev.stowage.server.check;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.util.Collection;
import java.util.function.UnaryOperator;

/**
 * Misbehaviours the fault-injecting store does not cover, for the bucket-check tests: reads that
 * return different bytes than were written, and batch deletes that report keys as not deleted.
 * Delegates everything else to an {@link InMemoryObjectStore}. Thread-safe (volatile switches).
 */
final class TamperingStore extends ForwardingObjectStore {

    final InMemoryObjectStore delegate;
    volatile UnaryOperator<byte[]> readFilter = UnaryOperator.identity();
    volatile String deleteRefusal;

    TamperingStore() {
        this(new InMemoryObjectStore());
    }

    private TamperingStore(InMemoryObjectStore memory) {
        super(memory);
        this.delegate = memory;
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        return readFilter.apply(delegate.get(key, range));
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        String refusal = deleteRefusal;
        if (refusal != null) {
            return new DeleteResult(0, keys.stream().collect(java.util.stream.Collectors.toMap(k -> k, k -> refusal)));
        }
        return delegate.delete(keys);
    }

    @Override
    public String describe() {
        return "tampering " + delegate.describe();
    }

}
