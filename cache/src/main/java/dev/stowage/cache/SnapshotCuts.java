package dev.stowage.cache;

import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool's side of point-in-time snapshots: which volumes have a {@link SnapshotCut} in
 * progress, the copy-on-write hook the write and unmap paths call before they change a chunk
 * whose cut version is still wanted, and the bounded budget of side buffers those copies use.
 *
 * <p>Protocol for a path that changes an existing entry {@code e} (write, unmap): with no lock
 * held, {@code credit = reserve(e)} when {@code e.hold != null} (blocks while the budget is used
 * up: back-pressure); then, holding the entry lock, {@link #preserve} before the change; when it
 * answers false, drop the locks, reserve and try again; finally {@link #release} the credit
 * (a no-op when it was used).
 *
 * <p><b>Threading:</b> thread-safe. The budget lock is a leaf: nothing else is locked while it is
 * held. {@link #preserve} is called with the entry lock held and never waits.
 *
 * <p><b>Errors:</b> {@link #reserve} on a closed pool, or after waiting
 * {@link CacheSettings#maxWriteWait()}, fails with NOT_READY.
 */
final class SnapshotCuts {
    /** Side buffers for cut versions: 64 MiB, and at least four chunks. */
    static final long DEFAULT_BUDGET_BYTES = 64L << 20;

    /** A claim on one side buffer, taken before the locks of a change and used or released after it. */
    static final class Credit {
        boolean used;
    }

    private final CachePool pool;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Integer, SnapshotCut> active = new HashMap<>(); // guarded by lock
    private int budget; // guarded by lock
    private int inUse; // guarded by lock
    private final java.util.concurrent.atomic.AtomicLong copies = new java.util.concurrent.atomic.AtomicLong();

    SnapshotCuts(CachePool pool) {
        this.pool = pool;
        this.budget = (int) Math.max(4, Math.min(1 << 20, DEFAULT_BUDGET_BYTES / pool.slotSize));
    }

    /** For tests: how many side buffers may exist at once. */
    void budgetBuffers(int n) {
        lock.lock();
        try {
            budget = Math.max(1, n);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Side buffers in use now (for tests and diagnostics). */
    int buffersInUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /** Chunks copied aside since the pool opened (a write or unmap came before the snapshot had read them). */
    long copies() {
        return copies.get();
    }

    /** Lets space reclaim see what every snapshot in progress references ({@link SnapshotCut#reportLive}). */
    void reportLive(dev.stowage.cache.reclaim.LiveChunkSource.Sink sink) {
        List<SnapshotCut> now;
        lock.lock();
        try {
            now = List.copyOf(active.values());
        } finally {
            lock.unlock();
        }
        for (SnapshotCut c : now) {
            c.reportLive(sink);
        }
    }

    /** Registers {@code cut} of {@code volume}; false when a cut of it is already in progress. */
    boolean begin(int volume, SnapshotCut cut) {
        lock.lock();
        try {
            return active.putIfAbsent(volume, cut) == null;
        } finally {
            lock.unlock();
        }
    }

    /** {@code cut} of {@code volume} is over (completed or abandoned). */
    void end(int volume, SnapshotCut cut) {
        lock.lock();
        try {
            active.remove(volume, cut);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The pool is closing: every snapshot in progress is abandoned (not recorded). */
    void abandonAll() {
        List<SnapshotCut> cuts;
        lock.lock();
        try {
            cuts = new ArrayList<>(active.values());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (SnapshotCut c : cuts) {
            c.abandon();
        }
    }

    /** Waits until no cut of {@code volume} is in progress; false when {@code nanos} passed first. */
    boolean awaitIdle(int volume, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        lock.lock();
        try {
            while (active.containsKey(volume)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A side buffer for a change of {@code e}, or null when {@code e} no longer holds a cut
     * version. Blocks while every buffer is in use (the snapshot's uploads free them), at most
     * {@link CacheSettings#maxWriteWait()} like a writer waiting for a slot, then NOT_READY
     * (initiators retry). Call with no lock held.
     */
    Credit reserve(Entry e) throws DeviceException {
        long deadline = System.nanoTime() + pool.settings.maxWriteWait().toNanos();
        lock.lock();
        try {
            while (true) {
                if (pool.isClosed()) {
                    throw new DeviceException(DeviceError.NOT_READY, "cache is closed");
                }
                if (e.hold == null) {
                    return null;
                }
                if (inUse < budget) {
                    inUse++;
                    return new Credit();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new DeviceException(DeviceError.NOT_READY, "a snapshot being taken has not saved the chunk "
                            + "being overwritten for " + pool.settings.maxWriteWait() + "; is the bucket reachable?");
                }
                try {
                    changed.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new DeviceException(DeviceError.NOT_READY, "interrupted while waiting for a snapshot to "
                            + "save the chunk being overwritten");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Returns an unused credit to the budget (null or used: nothing to do). */
    void release(Credit c) {
        if (c != null && !c.used) {
            c.used = true;
            giveBack();
        }
    }

    /** One side buffer is free again. */
    void giveBack() {
        lock.lock();
        try {
            inUse--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes writers waiting in {@link #reserve} (a hold they wait for was dropped). */
    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copy-on-write before {@code e} changes: when {@code e} holds a cut version that was not yet
     * read by its snapshot, copies the slot into a side buffer paid by {@code credit}. True when
     * the change may go ahead; false when a buffer is needed and {@code credit} is null or used
     * (the caller reserves one without locks and retries). Caller holds the entry lock.
     */
    boolean preserve(Entry e, Credit credit) throws DeviceException {
        SnapshotCut.Hold h = e.hold;
        if (h == null) {
            return true;
        }
        if (credit == null || credit.used) {
            return false;
        }
        byte[] copy = new byte[pool.slotSize];
        pool.slots.read(h.slot, 0, java.nio.ByteBuffer.wrap(copy));
        credit.used = true;
        copies.incrementAndGet();
        h.preserved(copy);
        e.hold = null;
        return true;
    }
}
