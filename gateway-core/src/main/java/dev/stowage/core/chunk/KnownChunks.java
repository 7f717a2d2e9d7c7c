package dev.stowage.core.chunk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of chunks known to be in the bucket, with their stored size, least recently
 * used dropped first. Lets {@link BucketChunkStore#put} skip both the probe and the upload for
 * chunks it has recently seen. Thread-safe (one lock; every operation is O(1)).
 */
final class KnownChunks {

    private final int capacity;
    private final LinkedHashMap<ChunkId, Long> map;

    /** @param capacity maximum entries kept; 0 remembers nothing */
    KnownChunks(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ChunkId, Long> eldest) {
                return size() > KnownChunks.this.capacity;
            }
        };
    }

    /** The stored size of a chunk known to be present, or -1. */
    synchronized long storedSize(ChunkId id) {
        Long size = map.get(id);
        return size == null ? -1 : size;
    }

    synchronized void add(ChunkId id, long storedSize) {
        if (capacity > 0) {
            map.put(id, storedSize);
        }
    }

    synchronized void remove(ChunkId id) {
        map.remove(id);
    }

    synchronized int size() {
        return map.size();
    }
}
