package dev.stowage.cache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the cache state from journal records, in order. The result holds the volumes, their
 * recovery points, every chunk that is not yet clean (dirty slots with their valid sectors,
 * and whole-chunk zeros), and the clean chunks a WARM record named and no later record touched
 * ({@link #warmChunks()}, checked against their CRC by the pool when first used); other clean slots
 * are dropped (their data is in the bucket) and become free. A WARM maps its slot to its chunk as
 * clean (dropping whatever either was mapped to); any later record of the chunk makes it dirty.
 *
 * <p>Rules, applied per record: a WRITE or SLOT maps its slot to its chunk (dropping whatever
 * the slot or the chunk was mapped to before), adds its sectors and makes the chunk dirty at its
 * version; a fresh WRITE (first write of a new cache entry) and a SLOT first forget the sectors
 * older records named for that chunk and slot (the slot may have held other data since: clean
 * slots are reused without journal records); a ZERO releases the chunk's slot and marks it dirty-zero; a CLEAN of version v makes
 * the chunk clean only if its current version is v (a later write keeps it dirty); a COMMIT sets
 * the volume's recovery point; a VOLUME registers a volume.
 *
 * <p><b>Verification</b> ({@link #dirtyChunks(SlotReader)}): a WRITE record may reach the disk
 * before the slot data it names (the OS writes pages back in any order until a flush), so the
 * sectors of version-2 WRITE records are checked against their CRC32C. For each sector the newest
 * record whose checksum matches the slot's content wins, or the newest flushed record (one a later
 * FLUSH record covers: its data was forced, so whatever the sector holds now is this chunk's own
 * data, e.g. of a write whose record was never appended); a sector no record matches is trusted only
 * when a checkpoint (SLOT) or a version-1 record vouches for it (data forced before the
 * checkpoint; any later content is this chunk's own), becomes zeros when the chunk was all zeros
 * before its entry was made (a fresh WRITE with zeroRest), and is invalid otherwise (read again
 * from the recovery point). A CLEAN that makes a chunk clean ends what older records vouch for
 * (the slot may be refilled without records since). A write that was never flushed may so be lost; another chunk's data is
 * never exposed, and a flushed write always matches. Not thread-safe; used once at open.
 */
final class JournalReplay {

    /**
     * A chunk that is not clean after replay; {@code slot} is -1 for a zeroed chunk. {@code zeroFill}
     * lists sectors the caller must write as zeros before using the slot (they are valid as zeros).
     */
    record DirtyChunk(ChunkKey key, int slot, long gen, Entry bitmap, int[] zeroFill) {
    }

    /** A clean chunk whose slot should still hold it, if the slot matches {@code crc} (checked when used). */
    record WarmChunk(ChunkKey key, int slot, long gen, int crc) {
    }

    /** Reads a whole slot of the data file. */
    interface SlotReader {
        byte[] read(int slot) throws IOException;
    }

    private static final class State {
        final ChunkKey key;
        final int slot;
        long gen;
        boolean clean;
        final Entry bits; // only its bitmap is used: sectors vouched for without a checksum
        boolean zeroBase; // the chunk was all zeros before this entry's first write
        boolean zeroBaseDurable; // ... and that first write (with its zeros) was flushed
        boolean warm; // clean, named by a WARM record, no record since
        int warmCrc;
        final List<JournalRecord.Write> checked = new ArrayList<>(); // version-2 writes, oldest first
        final List<Boolean> checkedDurable = new ArrayList<>(); // whether each was flushed

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
    /**
     * Sectors whose newest write failed verification in the last {@link #dirtyChunks(SlotReader)}
     * (for the log; older data of the same chunk may still have been found).
     */
    long unverifiedSectors;

    JournalReplay(int slotSize) {
        this.sectors = slotSize / Journal.SECTOR_SIZE;
    }

    void apply(JournalRecord r) {
        apply(r, false);
    }

    /**
     * Applies one record; {@code durable} says a later FLUSH record covers it (the data file was
     * forced after it was appended, so its data reached stable storage).
     */
    void apply(JournalRecord r, boolean durable) {
        switch (r) {
            case JournalRecord.Flush f -> {
            }
            case JournalRecord.Volume v -> volumes.put(v.volume(), v);
            case JournalRecord.Commit c -> commits.put(c.volume(), c);
            case JournalRecord.Write w -> {
                ChunkKey key = new ChunkKey(w.volume(), w.chunk());
                if (w.firstSector() < 0 || w.sectorCount() < 0 || w.firstSector() > sectors - w.sectorCount()) {
                    throw new IllegalArgumentException("journal WRITE names sectors " + w.firstSector() + "+"
                            + w.sectorCount() + " of a " + sectors + "-sector slot");
                }
                if (w.fresh()) {
                    forget(key, w.slot());
                }
                State s = mapSlot(key, w.slot());
                if (w.fresh()) {
                    s.zeroBase = w.zeroRest();
                    s.zeroBaseDurable = w.zeroRest() && durable;
                }
                if (w.sectorCrcs() == null) {
                    s.bits.setValid(w.firstSector(), w.sectorCount());
                } else {
                    s.checked.add(w);
                    s.checkedDurable.add(durable);
                }
                touch(s, w.gen());
            }
            case JournalRecord.Warm w -> {
                ChunkKey key = new ChunkKey(w.volume(), w.chunk());
                forget(key, w.slot());
                State st = mapSlot(key, w.slot());
                st.gen = w.gen();
                st.clean = true;
                st.warm = true;
                st.warmCrc = w.crc();
                maxGen = Math.max(maxGen, w.gen());
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
                    // Everything so far is in the recovery point, which is the chunk's base from now on. The
                    // slot may be evicted and refilled (even with this chunk again) without journal records,
                    // so older records vouch for nothing any more.
                    st.clean = true;
                    st.zeroBase = false;
                    st.zeroBaseDurable = false;
                    st.checked.clear();
                    st.checkedDurable.clear();
                    if (st.bits.valid != null) {
                        java.util.Arrays.fill(st.bits.valid, 0L);
                    }
                }
                maxGen = Math.max(maxGen, c.gen());
            }
        }
    }

    private void touch(State s, long gen) {
        s.gen = gen;
        s.clean = false;
        s.warm = false;
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

    /** Clean chunks named by a WARM record and by nothing after it, for volumes that are known. */
    List<WarmChunk> warmChunks() {
        List<WarmChunk> out = new ArrayList<>();
        for (State s : byKey.values()) {
            if (s.clean && s.warm && s.slot >= 0 && volumes.containsKey(s.key.volume())) {
                out.add(new WarmChunk(s.key, s.slot, s.gen, s.warmCrc));
            }
        }
        return out;
    }

    /**
     * Chunks that are not clean, for volumes that are known, with their sectors verified against
     * the data file (rules in the class comment).
     */
    List<DirtyChunk> dirtyChunks(SlotReader reader) throws IOException {
        unverifiedSectors = 0;
        List<DirtyChunk> out = new ArrayList<>();
        for (State s : byKey.values()) {
            if (s.clean || !volumes.containsKey(s.key.volume())) {
                continue;
            }
            if (s.slot < 0 || (s.checked.isEmpty() && !s.zeroBase)) {
                out.add(new DirtyChunk(s.key, s.slot, s.gen, s.bits, new int[0]));
                continue;
            }
            out.add(verify(s, reader.read(s.slot)));
        }
        return out;
    }

    private DirtyChunk verify(State s, byte[] slot) {
        Entry result = new Entry(s.key, s.slot, sectors);
        boolean[] decided = new boolean[sectors];
        boolean[] covered = new boolean[sectors];
        int[] actual = new int[sectors];
        boolean[] crcKnown = new boolean[sectors];
        for (int r = s.checked.size() - 1; r >= 0; r--) {
            JournalRecord.Write w = s.checked.get(r);
            boolean flushed = s.checkedDurable.get(r);
            int[] crcs = w.sectorCrcs();
            for (int i = 0; i < w.sectorCount(); i++) {
                int sector = w.firstSector() + i;
                if (decided[sector]) {
                    continue;
                }
                if (!crcKnown[sector]) {
                    actual[sector] = JournalRecord.sectorCrc(slot, sector * Journal.SECTOR_SIZE);
                    crcKnown[sector] = true;
                }
                if (actual[sector] == crcs[i] || flushed) {
                    // A flushed write's data was forced; a different content now is this chunk's own
                    // later data (a write whose record was never appended), as the slot has been this
                    // chunk's ever since.
                    decided[sector] = true;
                    result.setValid(sector, 1);
                } else if (!covered[sector]) {
                    unverifiedSectors++; // the newest write of this sector did not reach the data file
                }
                covered[sector] = true;
            }
        }
        List<Integer> zeroFill = new ArrayList<>();
        for (int sector = 0; sector < sectors; sector++) {
            if (decided[sector]) {
                continue;
            }
            if (s.bits.isValid(sector)) {
                result.setValid(sector, 1); // vouched for by a checkpoint: this chunk's data
            } else if (s.zeroBase) {
                result.setValid(sector, 1);
                if (!s.zeroBaseDurable && !isZero(slot, sector)) {
                    zeroFill.add(sector);
                }
            }
        }
        return new DirtyChunk(s.key, s.slot, s.gen, result, zeroFill.stream().mapToInt(Integer::intValue).toArray());
    }

    private static boolean isZero(byte[] slot, int sector) {
        for (int i = sector * Journal.SECTOR_SIZE, end = i + Journal.SECTOR_SIZE; i < end; i++) {
            if (slot[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
