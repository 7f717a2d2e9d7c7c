package dev.stowage.iscsi.scsi;

import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pending unit attention conditions of one logical unit, queued per I_T nexus (SAM-5 5.14). A
 * nexus is known once it has been {@link #register registered}; raising a condition queues it
 * for every known nexus (or all but one). The oldest condition is reported first; duplicates are
 * not queued twice. Thread-safe.
 */
public final class UnitAttentions {
    private static final int MAX_QUEUED = 16;

    private final Map<ItNexus, Deque<SenseReason>> pending = new ConcurrentHashMap<>();

    /** Makes the nexus known; a nexus seen for the first time gets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED. */
    public void register(ItNexus nexus) {
        pending.computeIfAbsent(nexus, n -> {
            Deque<SenseReason> q = new ArrayDeque<>();
            q.add(SenseReason.POWER_ON_RESET_OCCURRED);
            return q;
        });
    }

    /** Queues {@code reason} for every known nexus except {@code except} (null: all). */
    public void raise(SenseReason reason, ItNexus except) {
        for (Map.Entry<ItNexus, Deque<SenseReason>> e : pending.entrySet()) {
            if (!e.getKey().equals(except)) {
                add(e.getValue(), reason);
            }
        }
    }

    /** Queues {@code reason} for one nexus. */
    public void raiseFor(ItNexus nexus, SenseReason reason) {
        add(pending.computeIfAbsent(nexus, n -> new ArrayDeque<>()), reason);
    }

    private static void add(Deque<SenseReason> q, SenseReason reason) {
        synchronized (q) {
            if (!q.contains(reason) && q.size() < MAX_QUEUED) {
                q.add(reason);
            }
        }
    }

    /** Removes and returns the oldest pending condition of {@code nexus}, or null. */
    public SenseReason poll(ItNexus nexus) {
        Deque<SenseReason> q = pending.get(nexus);
        if (q == null) {
            register(nexus);
            q = pending.get(nexus);
        }
        synchronized (q) {
            return q.poll();
        }
    }

    /**
     * Forgets {@code nexus} (logout or connection loss), so the map does not grow with every
     * session ever seen; if the same nexus logs in again it starts with POWER ON, RESET, OR BUS
     * DEVICE RESET OCCURRED like any new one.
     */
    public void forget(ItNexus nexus) {
        pending.remove(nexus);
    }

    /** Drops every pending condition of {@code nexus}. */
    public void clear(ItNexus nexus) {
        Deque<SenseReason> q = pending.get(nexus);
        if (q != null) {
            synchronized (q) {
                q.clear();
            }
        }
    }
}
