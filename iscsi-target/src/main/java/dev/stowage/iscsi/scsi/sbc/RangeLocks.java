package dev.stowage.iscsi.scsi.sbc;

import java.util.ArrayList;
import java.util.List;

/**
 * Exclusive locks on LBA ranges. Writes, COMPARE AND WRITE, WRITE SAME and UNMAP hold the range
 * they change, so a COMPARE AND WRITE is atomic with respect to every other change of its blocks.
 * Reads do not lock. Fair enough for this use: waiters are woken whenever any range is released.
 *
 * <p><b>Threading:</b> thread-safe; {@link #lock} blocks until no held range overlaps.
 */
public final class RangeLocks {
    private final List<Range> held = new ArrayList<>();

    /** A held range; release it with {@link #close()}. */
    public final class Range implements AutoCloseable {
        private final long start;
        private final long end;

        private Range(long start, long end) {
            this.start = start;
            this.end = end;
        }

        private boolean overlaps(long s, long e) {
            return s < end && start < e;
        }

        @Override
        public void close() {
            synchronized (RangeLocks.this) {
                held.remove(this);
                RangeLocks.this.notifyAll();
            }
        }
    }

    /** Waits until blocks {@code lba .. lba+blocks-1} are free and takes them. A zero-length range locks nothing but still returns a handle. */
    public synchronized Range lock(long lba, long blocks) {
        long end = lba + Math.max(blocks, 0);
        boolean interrupted = false;
        while (true) {
            boolean busy = false;
            for (Range r : held) {
                if (r.overlaps(lba, end)) {
                    busy = true;
                    break;
                }
            }
            if (!busy) {
                break;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Range r = new Range(lba, end);
        held.add(r);
        return r;
    }

    /** Number of ranges held now (tests). */
    public synchronized int heldCount() {
        return held.size();
    }
}
