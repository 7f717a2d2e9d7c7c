package dev.stowage.cache.stored;

import dev.stowage.core.chunk.ChunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent change tracking of a stored volume: which chunks changed since the last snapshot
 * (<i>dirty</i>), which chunks an in-flight snapshot is uploading (<i>cut</i>), and the manifest
 * root of the last completed snapshot (the <i>base</i> the next one is committed on). Kept in one
 * small file, {@code dirty.map}, format version 1 (docs/stored-volumes.md):
 *
 * <pre>
 * two records ("A" at offset 0, "B" at offset slotLength), each:
 *  0  4 magic "STWD"
 *  4  2 format version (1)
 *  6  2 flags (0)
 *  8  4 header length (96)
 * 12  4 chunk size
 * 16  8 chunk count
 * 24  8 volume size in bytes
 * 32  8 sequence (the record with the higher valid sequence wins)
 * 40  8 base generation (-1: no snapshot yet)
 * 48 32 base root chunk id (zeros when none)
 * 80 16 spare (zeros)
 * 96  n dirty bitmap, n = ceil(chunk count / 8); chunk i is bit (i mod 8), LSB first, of byte i / 8
 * 96+n n cut bitmap
 * 96+2n 4 CRC32C of all preceding bytes of the record
 * slotLength = 96 + 2n + 4 rounded up to 4096
 * </pre>
 *
 * A new state is always written to the slot that does not hold the newest valid record, then
 * forced: a torn write leaves the previous record intact. At open the cut is merged back into the
 * dirty set (a snapshot that did not finish is taken again by the next one).
 *
 * <p>A write that continues a run of marked chunks also marks the next {@link #MARK_AHEAD} chunks,
 * so a sequential writer pays one forced record per {@code MARK_AHEAD} chunks, not one per chunk.
 *
 * <p><b>Durability:</b> {@link #markDirty} changes memory; {@link #awaitDurable} returns once a
 * record containing the change is on stable storage. Concurrent callers share one write and force
 * (group commit).
 *
 * <p><b>Threading:</b> thread-safe; the monitor guards the bitmaps, one caller at a time writes.
 *
 * <p><b>Errors:</b> local I/O failures are {@link IOException}s; a file of another geometry is an
 * {@link IOException} naming it. A file with no valid record (both damaged) is not an error: every
 * chunk is marked dirty and the base forgotten, so the next snapshot uploads the whole volume
 * (deduplication keeps that cheap) and nothing is missed.
 */
final class DirtyMap implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirtyMap.class);

    static final String FILE = "dirty.map";
    private static final byte[] MAGIC = {'S', 'T', 'W', 'D'};
    private static final int VERSION = 1;
    private static final int HEADER = 96;
    /** Chunks marked beyond a write that continues a run of marked chunks (sequential writers). */
    static final int MARK_AHEAD = 32;

    /** The base of the next snapshot: the root of the last completed one. */
    record Base(ChunkId root, long generation) {
    }

    private final Path path;
    private final FileChannel channel;
    private final int chunkSize;
    private final long chunkCount;
    private final long volumeSize;
    private final int bitmapBytes;
    private final long slotLength;

    private final BitSet dirty = new BitSet();
    private final BitSet cut = new BitSet();
    private Base base;
    private long changes;        // in-memory changes so far
    private long durableChanges; // changes contained in the newest record on disk
    private long sequence;       // of the newest valid record on disk
    private int goodSlot;        // slot of that record; the next write goes to the other one
    private boolean writing;

    private DirtyMap(Path path, FileChannel channel, int chunkSize, long chunkCount, long volumeSize) {
        this.path = path;
        this.channel = channel;
        this.chunkSize = chunkSize;
        this.chunkCount = chunkCount;
        this.volumeSize = volumeSize;
        this.bitmapBytes = (int) ((chunkCount + 7) / 8);
        this.slotLength = (HEADER + 2L * bitmapBytes + 4 + 4095) / 4096 * 4096;
    }

    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE));
    }

    /**
     * Creates a new map (fails if one exists) with every chunk dirty or none, and no base.
     *
     * @param base the base to start from (a volume restored from a snapshot), or null
     */
    static DirtyMap create(Path dir, int chunkSize, long volumeSize, boolean allDirty, Base base) throws IOException {
        Path p = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        DirtyMap m = new DirtyMap(p, ch, chunkSize, (volumeSize - 1) / chunkSize + 1, volumeSize);
        try {
            if (allDirty) {
                m.dirty.set(0, Math.toIntExact(m.chunkCount));
            }
            m.base = base;
            m.goodSlot = 1; // first record goes to slot 0
            m.changes = 1;
            m.awaitDurable(m.changes);
            forceDirectory(dir);
            return m;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Opens an existing map, checking that it was made for this geometry; merges an unfinished cut back. */
    static DirtyMap open(Path dir, int chunkSize, long volumeSize) throws IOException {
        Path p = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        DirtyMap m = new DirtyMap(p, ch, chunkSize, (volumeSize - 1) / chunkSize + 1, volumeSize);
        try {
            m.load();
            if (!m.cut.isEmpty()) {
                log.info("stored volume state {}: a snapshot did not finish; its {} chunks are dirty again",
                        p, m.cut.cardinality());
                m.dirty.or(m.cut);
                m.cut.clear();
                m.changes++;
                m.awaitDurable(m.changes);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void load() throws IOException {
        long best = -1;
        ByteBuffer bestRecord = null;
        for (int slot = 0; slot < 2; slot++) {
            ByteBuffer rec = ByteBuffer.allocate((int) (HEADER + 2L * bitmapBytes + 4));
            readFully(rec, slot * slotLength);
            rec.flip();
            if (rec.remaining() < HEADER + 4 || !Arrays.equals(rec.array(), 0, 4, MAGIC, 0, 4)) {
                continue;
            }
            int version = rec.getShort(4) & 0xffff;
            if (version != VERSION) {
                throw new IOException("stored volume state " + path + " has format version " + version
                        + "; this gateway reads version " + VERSION);
            }
            if (rec.remaining() != rec.capacity() || rec.getInt(rec.capacity() - 4) != crc(rec.array(),
                    rec.capacity() - 4)) {
                continue; // torn or of another geometry: checked below if it is the only one
            }
            long seq = rec.getLong(32);
            if (seq > best) {
                best = seq;
                bestRecord = rec;
                goodSlot = slot;
            }
        }
        if (bestRecord == null) {
            long size = channel.size();
            ByteBuffer head = ByteBuffer.allocate(HEADER);
            readFully(head, 0);
            if (head.position() >= 32 && Arrays.equals(head.array(), 0, 4, MAGIC, 0, 4)
                    && (head.getInt(12) != chunkSize || head.getLong(24) != volumeSize)) {
                throw new IOException("stored volume state " + path + " was made for a volume of "
                        + head.getLong(24) + " bytes in " + head.getInt(12) + "-byte chunks, not " + volumeSize
                        + " bytes in " + chunkSize + "-byte chunks: use the same size and chunk size, or a new volume");
            }
            log.warn("stored volume state {} ({} bytes) has no valid record; every chunk is marked changed, the next "
                    + "snapshot uploads the whole volume (unchanged chunks are deduplicated)", path, size);
            dirty.set(0, Math.toIntExact(chunkCount));
            base = null;
            goodSlot = 1;
            sequence = 0;
            changes = 1;
            awaitDurable(changes);
            return;
        }
        ByteBuffer r = bestRecord.order(ByteOrder.BIG_ENDIAN);
        if (r.getShort(6) != 0 || r.getInt(8) != HEADER) {
            throw new IOException("stored volume state " + path + " has flags or a header this gateway does not know");
        }
        if (r.getInt(12) != chunkSize || r.getLong(16) != chunkCount || r.getLong(24) != volumeSize) {
            throw new IOException("stored volume state " + path + " was made for a volume of " + r.getLong(24)
                    + " bytes in " + r.getInt(12) + "-byte chunks, not " + volumeSize + " bytes in " + chunkSize
                    + "-byte chunks: use the same size and chunk size, or a new volume");
        }
        sequence = r.getLong(32);
        long gen = r.getLong(40);
        byte[] root = Arrays.copyOfRange(r.array(), 48, 80);
        base = gen < 0 ? null : new Base(ChunkId.of(root), gen);
        dirty.or(BitSet.valueOf(Arrays.copyOfRange(r.array(), HEADER, HEADER + bitmapBytes)));
        cut.or(BitSet.valueOf(Arrays.copyOfRange(r.array(), HEADER + bitmapBytes, HEADER + 2 * bitmapBytes)));
    }

    private void readFully(ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = channel.read(b, at + b.position());
            if (n < 0) {
                return;
            }
        }
    }

    long chunkCount() {
        return chunkCount;
    }

    /**
     * Marks chunks {@code first..last} dirty in memory.
     *
     * @return the change number to pass to {@link #awaitDurable}, or 0 when all were dirty already
     */
    synchronized long markDirty(long first, long last) {
        int from = Math.toIntExact(first);
        int to = Math.toIntExact(last) + 1;
        int clear = dirty.nextClearBit(from);
        if (clear >= to) {
            return durableChanges >= changes ? 0 : changes; // set by another writer whose record may still be on its way
        }
        if (from > 0 && dirty.get(from - 1)) {
            // A sequential writer: mark the next chunks too, so it forces this file once per MARK_AHEAD
            // chunks rather than once per chunk. A mark on a chunk that is not written only costs the
            // snapshot a read and a deduplicated put.
            to = (int) Math.min(chunkCount, (long) to + MARK_AHEAD);
        }
        dirty.set(from, to);
        return ++changes;
    }

    /** Returns once a record holding change {@code change} (and all before) is on stable storage. */
    void awaitDurable(long change) throws IOException {
        if (change <= 0) {
            return;
        }
        byte[] record;
        long target;
        long seq;
        int slot;
        synchronized (this) {
            while (true) {
                if (durableChanges >= change) {
                    return;
                }
                if (!writing) {
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while making the change map of " + path + " durable", e);
                }
            }
            writing = true;
            target = changes;
            seq = sequence + 1;
            slot = 1 - goodSlot;
            record = encode(seq);
        }
        boolean ok = false;
        try {
            ByteBuffer b = ByteBuffer.wrap(record);
            long at = slot * slotLength;
            while (b.hasRemaining()) {
                at += channel.write(b, at);
            }
            channel.force(false);
            ok = true;
        } finally {
            synchronized (this) {
                writing = false;
                if (ok) {
                    durableChanges = Math.max(durableChanges, target);
                    sequence = seq;
                    goodSlot = slot;
                }
                notifyAll();
            }
        }
        if (durableChanges < change) {
            awaitDurable(change); // our change arrived after the record that was being written
        }
    }

    private byte[] encode(long seq) {
        byte[] out = new byte[HEADER + 2 * bitmapBytes + 4];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(HEADER).putInt(chunkSize)
                .putLong(chunkCount).putLong(volumeSize).putLong(seq).putLong(base == null ? -1 : base.generation());
        if (base != null) {
            base.root().copyTo(out, 48);
        }
        byte[] d = dirty.toByteArray();
        System.arraycopy(d, 0, out, HEADER, d.length);
        byte[] c = cut.toByteArray();
        System.arraycopy(c, 0, out, HEADER + bitmapBytes, c.length);
        b.putInt(out.length - 4, crc(out, out.length - 4));
        return out;
    }

    /**
     * Starts a snapshot: the dirty set becomes the cut, the dirty set restarts empty (in memory;
     * the returned change number makes it durable).
     *
     * @return the cut's chunks
     * @throws IllegalStateException when a cut is in progress
     */
    synchronized BitSet startCut() {
        if (!cut.isEmpty()) {
            throw new IllegalStateException("a snapshot of " + path + " is already in progress");
        }
        cut.or(dirty);
        dirty.clear();
        changes++;
        return (BitSet) cut.clone();
    }

    /** The change number of everything changed so far. */
    synchronized long changes() {
        return changes;
    }

    /** The snapshot of the cut is recorded: forget the cut, and commit the next snapshot on {@code newBase}. */
    void completeCut(Base newBase) throws IOException {
        long c;
        synchronized (this) {
            cut.clear();
            base = newBase;
            c = ++changes;
        }
        awaitDurable(c);
    }

    /** The snapshot of the cut failed: its chunks are dirty again. */
    void abortCut() throws IOException {
        long c;
        synchronized (this) {
            dirty.or(cut);
            cut.clear();
            c = ++changes;
        }
        awaitDurable(c);
    }

    synchronized Base base() {
        return base;
    }

    /** Chunks changed since the last snapshot (including those of a snapshot in progress). */
    synchronized long dirtyCount() {
        BitSet all = (BitSet) dirty.clone();
        all.or(cut);
        return all.cardinality();
    }

    synchronized boolean isDirty(long chunk) {
        return dirty.get(Math.toIntExact(chunk)) || cut.get(Math.toIntExact(chunk));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static int crc(byte[] data, int length) {
        CRC32C c = new CRC32C();
        c.update(data, 0, length);
        return (int) c.getValue();
    }

    static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened; the file itself was forced
        }
    }
}
