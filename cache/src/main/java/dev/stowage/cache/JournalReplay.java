package dev.stowage.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the cache state from journal records, in order. The result holds the volumes, their
 * recovery points, and every chunk that is not yet clean (dirty slots with their valid sectors,
 * and whole-chunk zeros); clean slots are dropped (their data is in the bucket) and become free.
 *
 * <p>Rules, applied per record: a WRITE or SLOT maps its slot to its chunk (dropping whatever
 * the slot or the chunk was mapped to before), adds its sectors and makes the chunk dirty at its
 * version; a fresh WRITE (first write of a new cache entry) and a SLOT first forget the sectors
 * older records named for that chunk and slot (the slot may have held other data since: clean
 * slots are reused without journal records); a ZERO releases the chunk's slot and marks it dirty-zero; a CLEAN of version v makes
 * the chunk clean only if its current version is v (a later write keeps it dirty); a COMMIT sets
 * the volume's recovery point; a VOLUME registers a volume. Not thread-safe; used once at open.
 */
final class JournalReplay {

    /** A chunk that is not clean after replay; {@code slot} is -1 for a zeroed chunk. */
    record DirtyChunk(ChunkKey key, int slot, long gen, Entry bitmap) {
    }

    private static final class State {
        final ChunkKey key;
        final int slot;
        long gen;
        boolean clean;
        final Entry bits; // only its bitmap is used

        State(ChunkKey key, int slot, int sectors) {
            this.key = key;
            this.slot = slot;
            this.bits = new Entry(key, slot, sectors);
        }
    }

    private final int sectors;
    final Map<Integer, JournalRecord.Volume> volumes = new LinkedHashMap<>();
    final Map<Integer, JournalRecord.Commit> commits = new HashMap<>();
    private final Map<ChunkKey, State> byKey = new HashMap<>();
    private final Map<Integer, State> bySlot = new HashMap<>();
    long maxGen;

    JournalReplay(int slotSize) {
        this.sectors = slotSize / Journal.SECTOR_SIZE;
    }

    void apply(JournalRecord r) {
        switch (r) {
            case JournalRecord.Volume v -> volumes.put(v.volume(), v);
            case JournalRecord.Commit c -> commits.put(c.volume(), c);
            case JournalRecord.Write w -> {
                ChunkKey key = new ChunkKey(w.volume(), w.chunk());
                if (w.fresh()) {
                    forget(key, w.slot());
                }
                State s = mapSlot(key, w.slot());
                s.bits.setValid(w.firstSector(), Math.min(w.sectorCount(), sectors - w.firstSector()));
                touch(s, w.gen());
            }
            case JournalRecord.Slot s -> {
                ChunkKey key = new ChunkKey(s.volume(), s.chunk());
                forget(key, s.slot());
                State st = mapSlot(key, s.slot());
                st.bits.setBitmapBytes(s.validBitmap(), sectors);
                touch(st, s.gen());
            }
            case JournalRecord.Zero z -> {
                ChunkKey key = new ChunkKey(z.volume(), z.chunk());
                unmapKey(key);
                State st = new State(key, -1, sectors);
                byKey.put(key, st);
                touch(st, z.gen());
            }
            case JournalRecord.Clean c -> {
                State st = byKey.get(new ChunkKey(c.volume(), c.chunk()));
                if (st != null && st.slot == c.slot() && st.gen == c.gen()) {
                    st.clean = true;
                }
                maxGen = Math.max(maxGen, c.gen());
            }
        }
    }

    private void touch(State s, long gen) {
        s.gen = gen;
        s.clean = false;
        maxGen = Math.max(maxGen, gen);
    }

    private State mapSlot(ChunkKey key, int slot) {
        if (slot < 0) {
            throw new IllegalArgumentException("journal names slot " + slot);
        }
        State current = byKey.get(key);
        if (current != null && current.slot == slot) {
            return current;
        }
        unmapKey(key);
        State previousOwner = bySlot.remove(slot);
        if (previousOwner != null) {
            byKey.remove(previousOwner.key);
        }
        State s = new State(key, slot, sectors);
        byKey.put(key, s);
        bySlot.put(slot, s);
        return s;
    }

    /** Drops whatever the chunk and the slot were mapped to. */
    private void forget(ChunkKey key, int slot) {
        unmapKey(key);
        State previousOwner = bySlot.remove(slot);
        if (previousOwner != null) {
            byKey.remove(previousOwner.key);
        }
    }

    private void unmapKey(ChunkKey key) {
        State old = byKey.remove(key);
        if (old != null && old.slot >= 0) {
            bySlot.remove(old.slot);
        }
    }

    /** Chunks that are not clean, for volumes that are known. */
    List<DirtyChunk> dirtyChunks() {
        List<DirtyChunk> out = new ArrayList<>();
        for (State s : byKey.values()) {
            if (!s.clean && volumes.containsKey(s.key.volume())) {
                out.add(new DirtyChunk(s.key, s.slot, s.gen, s.bits));
            }
        }
        return out;
    }
}
