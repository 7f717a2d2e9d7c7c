package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ItNexus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Results of finished EXTENDED COPY commands held for RECEIVE COPY RESULTS (COPY STATUS), keyed by
 * nexus and list identifier. Bounded: the oldest results are dropped first. Thread-safe.
 */
public final class CopyResults {
    private static final int MAX_HELD = 256;

    /**
     * @param completedWithErrors copy manager status 2 instead of 1
     * @param segmentsProcessed   segment descriptors fully processed
     * @param bytesTransferred    data moved
     */
    public record Status(boolean completedWithErrors, int segmentsProcessed, long bytesTransferred) {
    }

    private record Key(ItNexus nexus, int listId) {
    }

    private final Map<Key, Status> held = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Status> eldest) {
            return size() > MAX_HELD;
        }
    };

    public synchronized void put(ItNexus nexus, int listId, Status status) {
        held.remove(new Key(nexus, listId));
        held.put(new Key(nexus, listId), status);
    }

    /** Drops the results of {@code nexus} (logout or nexus loss). */
    public synchronized void forget(ItNexus nexus) {
        held.keySet().removeIf(k -> k.nexus().equals(nexus));
    }

    /** The held status, or null when no copy with that list identifier is known for the nexus. */
    public synchronized Status get(ItNexus nexus, int listId) {
        return held.get(new Key(nexus, listId));
    }
}
