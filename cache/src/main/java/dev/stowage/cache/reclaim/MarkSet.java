package dev.stowage.cache.reclaim;

import dev.stowage.core.chunk.ChunkId;

/**
 * The set of marked (live) chunks of one reclaim run, compact: it keeps the first 64 bits of each
 * id in an open-addressing table (about 16 bytes per chunk instead of some 130 for a set of ids).
 * Two ids that share their first 64 bits are indistinguishable, which can only make a garbage
 * chunk look live (kept until a later run), never the reverse: {@link #contains} is never false
 * for an added id.
 *
 * <p><b>Threading:</b> not thread-safe for {@link #add}; after the last add, {@link #contains} may
 * be called from several threads once the set was handed to them safely (e.g. through an executor).
 */
final class MarkSet {
    private long[] table = new long[1 << 12];
    private int size;
    private boolean hasZero;

    /** Adds the id; true when it was not there (by its first 64 bits). */
    boolean add(ChunkId id) {
        long key = key(id);
        if (key == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if ((size + 1) * 2 > table.length) {
            grow();
        }
        if (insert(table, key)) {
            size++;
            return true;
        }
        return false;
    }

    boolean contains(ChunkId id) {
        long key = key(id);
        if (key == 0) {
            return hasZero;
        }
        long[] t = table;
        int mask = t.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (t[i] == key) {
                return true;
            }
            if (t[i] == 0) {
                return false;
            }
        }
    }

    /** Distinct 64-bit keys marked. */
    long size() {
        return size + (hasZero ? 1 : 0);
    }

    private void grow() {
        long[] bigger = new long[table.length * 2];
        for (long k : table) {
            if (k != 0) {
                insert(bigger, k);
            }
        }
        table = bigger;
    }

    private static boolean insert(long[] t, long key) {
        int mask = t.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (t[i] == key) {
                return false;
            }
            if (t[i] == 0) {
                t[i] = key;
                return true;
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private static long key(ChunkId id) {
        byte[] b = new byte[ChunkId.LENGTH];
        id.copyTo(b, 0);
        long k = 0;
        for (int i = 0; i < 8; i++) {
            k = (k << 8) | (b[i] & 0xff);
        }
        return k;
    }
}
