package dev.stowage.cache;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory index entry of one cached chunk: which slot holds it (or -1 when the whole chunk
 * is zero), its {@link SlotState}, its version and which 512-byte sectors of the slot are valid.
 *
 * <p><b>Threading:</b> every field is guarded by {@link #lock}, except {@link #key} (final),
 * {@link #referenced} (a CLOCK hint, racy by design) and {@link #hold} (written under the lock). An entry that was evicted or replaced has
 * {@link #removed} set and is never used again; whoever finds it so starts over.
 */
final class Entry {
    final ChunkKey key;
    final ReentrantLock lock = new ReentrantLock();
    int slot;
    SlotState state;
    long gen;
    /** Valid sectors; null for a zero (slot-less) entry. */
    long[] valid;
    /** Time of the last write (settle delay counts from here). */
    long dirtySinceMillis;
    /** Time the entry last became dirty (bounds how long a busy chunk waits). */
    long firstDirtyMillis;
    long notBeforeMillis;
    int attempts;
    boolean removed;
    volatile boolean referenced;
    /**
     * The version a snapshot cut still needs (not yet read by the snapshot): the entry is not
     * evicted, and its next change first copies the slot aside ({@link SnapshotCuts#preserve}).
     * Written under {@link #lock}; read without it only as a hint.
     */
    volatile SnapshotCut.Hold hold;
    /** CRC32C of the chunk's bytes in the slot while CLEAN, when known (journaled as WARM for restarts). */
    int cleanCrc;
    boolean cleanCrcKnown;
    /** A CLEAN entry kept from before a restart whose slot has not been checked against {@link #cleanCrc} yet. */
    boolean unverified;
    /** CRC32C of the content of the last upload, and the version it was taken at (-1: none). */
    int uploadCrc;
    long uploadCrcGen = -1;

    Entry(ChunkKey key, int slot, int sectors) {
        this.key = key;
        this.slot = slot;
        this.valid = slot < 0 ? null : new long[(sectors + 63) >>> 6];
    }

    void setValid(int first, int count) {
        for (int s = first; s < first + count; s++) {
            valid[s >>> 6] |= 1L << (s & 63);
        }
    }

    void setAllValid(int sectors) {
        setValid(0, sectors);
    }

    void clearValid() {
        java.util.Arrays.fill(valid, 0L);
    }

    boolean isValid(int sector) {
        return (valid[sector >>> 6] & (1L << (sector & 63))) != 0;
    }

    boolean allValid(int first, int count) {
        for (int s = first; s < first + count; s++) {
            if (!isValid(s)) {
                return false;
            }
        }
        return true;
    }

    byte[] bitmapBytes(int sectors) {
        byte[] out = new byte[(sectors + 7) >>> 3];
        for (int s = 0; s < sectors; s++) {
            if (isValid(s)) {
                out[s >>> 3] |= (byte) (1 << (s & 7));
            }
        }
        return out;
    }

    void setBitmapBytes(byte[] bitmap, int sectors) {
        for (int s = 0; s < sectors && (s >>> 3) < bitmap.length; s++) {
            if ((bitmap[s >>> 3] & (1 << (s & 7))) != 0) {
                setValid(s, 1);
            }
        }
    }

    boolean pendingUpload() {
        return state == SlotState.DIRTY || state == SlotState.UPLOADING || state == SlotState.UPLOADED;
    }
}
