package dev.stowage.cache;

import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The slots of the cache data file: which entry owns each slot, the free list, the CLOCK
 * eviction over CLEAN slots, back-pressure for writers when every slot holds dirty data, and
 * positional I/O on the data file (slot {@code i} is at byte {@code i × slot size}).
 *
 * <p><b>Threading:</b> thread-safe; the slot table is guarded by one lock ({@code poolLock}),
 * taken after any entry lock. Eviction only try-locks entries, so it never waits for one.
 *
 * <p><b>Errors:</b> data file failures are MEDIUM_ERROR_WRITE / MEDIUM_ERROR_READ; a writer that
 * waited {@link CacheSettings#maxWriteWait()} for space, or a closed cache, is NOT_READY.
 */
final class SlotTable {
    private final CachePool pool;
    private final FileChannel data;
    private final int slotSize;
    private final ReentrantLock poolLock = new ReentrantLock();
    private final Condition slotFreed = poolLock.newCondition();
    private final Entry[] slots; // guarded by poolLock
    private final Deque<Integer> free = new ArrayDeque<>(); // guarded by poolLock
    private int clockHand; // guarded by poolLock
    private int waitingWriters; // guarded by poolLock

    SlotTable(CachePool pool, FileChannel data) {
        this.pool = pool;
        this.data = data;
        this.slotSize = pool.settings.slotSize();
        this.slots = new Entry[pool.settings.slotCount()];
    }

    /** After recovery has set the owners: every other slot is free. */
    void buildFreeList() {
        poolLock.lock();
        try {
            free.clear();
            for (int s = slots.length - 1; s >= 0; s--) {
                if (slots[s] == null) {
                    free.push(s);
                }
            }
        } finally {
            poolLock.unlock();
        }
    }

    /**
     * A free slot: from the free list, or by evicting a CLEAN slot. With {@code wait}, blocks while
     * every slot is dirty (back-pressure) up to {@link CacheSettings#maxWriteWait()}; without, -1.
     */
    int allocate(boolean wait) throws DeviceException {
        long deadline = System.nanoTime() + pool.settings.maxWriteWait().toNanos();
        poolLock.lock();
        try {
            while (true) {
                if (pool.isClosed()) {
                    throw new DeviceException(DeviceError.NOT_READY, "cache is closed");
                }
                Integer s = free.poll();
                if (s != null) {
                    return s;
                }
                int evicted = evictOne();
                if (evicted >= 0) {
                    return evicted;
                }
                if (!wait) {
                    return -1;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DeviceException(DeviceError.NOT_READY, "cache full of data not yet uploaded for "
                            + pool.settings.maxWriteWait() + "; is the bucket reachable?");
                }
                waitingWriters++;
                pool.uploader.wake();
                try {
                    slotFreed.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new DeviceException(DeviceError.NOT_READY, "interrupted while waiting for cache space");
                } finally {
                    waitingWriters--;
                }
            }
        } finally {
            poolLock.unlock();
        }
    }

    /** CLOCK over CLEAN slots. Caller holds poolLock. */
    private int evictOne() {
        for (int i = 0; i < 2 * slots.length; i++) {
            int s = clockHand;
            clockHand = (clockHand + 1) % slots.length;
            Entry e = slots[s];
            if (e == null || e.state != SlotState.CLEAN || e.hold != null) {
                continue; // dirty, or held for a snapshot being taken
            }
            if (e.referenced) {
                e.referenced = false;
                continue;
            }
            if (!e.lock.tryLock()) {
                continue;
            }
            try {
                if (e.removed || e.state != SlotState.CLEAN || e.slot != s || e.hold != null) {
                    continue;
                }
                e.removed = true;
                pool.index.remove(e.key, e);
                slots[s] = null;
                pool.metrics.evicted();
                return s;
            } finally {
                e.lock.unlock();
            }
        }
        return -1;
    }

    void free(int slot) {
        poolLock.lock();
        try {
            slots[slot] = null;
            free.push(slot);
            slotFreed.signalAll();
        } finally {
            poolLock.unlock();
        }
    }

    void setOwner(int slot, Entry e) {
        poolLock.lock();
        try {
            slots[slot] = e;
        } finally {
            poolLock.unlock();
        }
    }

    /** Wakes writers waiting for space (slots became CLEAN and evictable). */
    void signalSpace() {
        poolLock.lock();
        try {
            slotFreed.signalAll();
        } finally {
            poolLock.unlock();
        }
    }

    /** One line for diagnostics: slot states, dirty set, waiting writers. */
    String debugState() {
        poolLock.lock();
        try {
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            for (Entry e : slots) {
                String k = e == null ? "FREE" : e.state + (e.removed ? "-removed" : "") + (e.referenced ? "-ref" : "")
                        + (e.lock.isLocked() ? "-locked" : "");
                counts.merge(k, 1, Integer::sum);
            }
            StringBuilder b = new StringBuilder("slots " + counts + ", free list " + free.size() + ", dirty set "
                    + pool.dirty.size() + ", waiting " + waitingWriters);
            for (Entry e : pool.dirty) {
                b.append(" [").append(e.key).append(' ').append(e.state).append(" nb=").append(e.notBeforeMillis
                        - pool.settings.clock().millis()).append(']');
            }
            for (PoolVolume v : pool.volumes()) {
                synchronized (v.pending) {
                    b.append(" pending=").append(v.pending.size()).append(" uploading=").append(v.uploading.get())
                            .append(" commitNB=").append(v.commitNotBeforeMillis - pool.settings.clock().millis());
                }
            }
            return b.toString();
        } finally {
            poolLock.unlock();
        }
    }

    int waitingWriters() {
        poolLock.lock();
        try {
            return waitingWriters;
        } finally {
            poolLock.unlock();
        }
    }

    /** Counts of slots by state: [free, clean, dirty (dirty + uploading + uploaded)]. */
    int[] slotCounts() {
        poolLock.lock();
        try {
            int clean = 0;
            int dirtyCount = 0;
            for (Entry e : slots) {
                if (e == null) {
                    continue;
                }
                if (e.state == SlotState.CLEAN) {
                    clean++;
                } else {
                    dirtyCount++;
                }
            }
            return new int[] {free.size(), clean, dirtyCount};
        } finally {
            poolLock.unlock();
        }
    }

    void write(int slot, int offset, ByteBuffer src) throws DeviceException {
        long pos = (long) slot * slotSize + offset;
        try {
            while (src.hasRemaining()) {
                pos += data.write(src, pos);
            }
        } catch (IOException ex) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "cache data file write failed: "
                    + ex.getMessage(), ex);
        }
    }

    void read(int slot, int offset, ByteBuffer dst) throws DeviceException {
        long pos = (long) slot * slotSize + offset;
        try {
            while (dst.hasRemaining()) {
                int n = data.read(dst, pos);
                if (n < 0) {
                    throw new IOException("unexpected end of the cache data file");
                }
                pos += n;
            }
        } catch (IOException ex) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_READ, "cache data file read failed: "
                    + ex.getMessage(), ex);
        }
    }
}
