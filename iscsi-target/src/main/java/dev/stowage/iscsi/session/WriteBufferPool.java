package dev.stowage.iscsi.session;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Reuses the direct buffers that hold write data on one connection, so the steady state of a
 * write workload allocates nothing and the data goes from the socket buffer to the device
 * without passing through the heap. Buffers come in power-of-two sizes from 4 KiB to
 * {@link #MAX_POOLED}; larger ones are plain heap buffers and are not kept. At most
 * {@link #MAX_KEPT_BYTES} are kept idle.
 *
 * <p>A buffer may be returned only once nothing reads it any more (after
 * {@code ScsiTarget.execute} returned, or for a task that never ran).
 *
 * <p><b>Threading:</b> thread-safe (taken by the reader, returned by workers).
 */
final class WriteBufferPool {
    static final int MIN_POOLED = 4096;
    static final int MAX_POOLED = 4 << 20;
    static final long MAX_KEPT_BYTES = 16L << 20;

    private final ArrayDeque<ByteBuffer>[] idle;
    private long keptBytes;

    @SuppressWarnings("unchecked")
    WriteBufferPool() {
        idle = new ArrayDeque[Integer.numberOfTrailingZeros(MAX_POOLED) - Integer.numberOfTrailingZeros(MIN_POOLED) + 1];
        for (int i = 0; i < idle.length; i++) {
            idle[i] = new ArrayDeque<>();
        }
    }

    /** A buffer with position 0 and limit {@code length} (its capacity may be larger). */
    ByteBuffer take(int length) {
        if (length > MAX_POOLED) {
            return ByteBuffer.allocate(length);
        }
        int size = Math.max(MIN_POOLED, Integer.highestOneBit(Math.max(1, length - 1)) << 1);
        if (length <= MIN_POOLED) {
            size = MIN_POOLED;
        }
        int slot = slot(size);
        ByteBuffer b;
        synchronized (this) {
            b = idle[slot].pollFirst();
            if (b != null) {
                keptBytes -= b.capacity();
            }
        }
        if (b == null) {
            b = ByteBuffer.allocateDirect(size);
        }
        return b.clear().limit(length);
    }

    /** Gives a buffer back (ignored for buffers the pool does not keep). */
    void give(ByteBuffer b) {
        int size = b.capacity();
        if (!b.isDirect() || size < MIN_POOLED || size > MAX_POOLED || Integer.bitCount(size) != 1) {
            return;
        }
        synchronized (this) {
            if (keptBytes + size <= MAX_KEPT_BYTES) {
                idle[slot(size)].addFirst(b);
                keptBytes += size;
            }
        }
    }

    synchronized long keptBytes() {
        return keptBytes;
    }

    private static int slot(int size) {
        return Integer.numberOfTrailingZeros(size) - Integer.numberOfTrailingZeros(MIN_POOLED);
    }
}
