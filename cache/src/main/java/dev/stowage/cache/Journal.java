package dev.stowage.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache journal: an append-only file of checksummed {@link JournalRecord}s after a versioned
 * header. It is the truth about which slot holds which data; the in-memory index is rebuilt from
 * it at start. Byte layout in docs/cache.md.
 *
 * <p><b>Durability.</b> {@link #append} writes a record to the file (the OS page cache) and
 * returns its sequence number; {@link #sync} makes every record up to a sequence number stable:
 * it forces the cache data file first, then the journal, so a stable record never names data
 * that is not stable. Concurrent syncs share one pair of forces (group commit): a caller whose
 * record was covered by a force that started after its append returns without forcing again.
 *
 * <p><b>Recovery.</b> {@link #open} reads the records in order and stops at the first one that
 * is incomplete or fails its CRC32C (a torn tail left by a crash); the file is truncated there,
 * so new records follow the last good one. Records after a bad one are never used.
 *
 * <p>WRITE records carry a CRC32C per written sector, checked against the data file at recovery
 * ({@link JournalReplay}): an unflushed write whose data never reached the disk is dropped there.
 * {@link #sync} appends a FLUSH record between forcing the data file and forcing the journal,
 * naming the journal offset up to which record data is now stable.
 * A version-1 journal (no checksums) is read; appends are refused until it is rewritten.
 *
 * <p><b>Compaction.</b> {@link #rewrite} replaces the journal with a checkpoint (a minimal list
 * of records describing the current state): written to a temporary file, forced, and renamed
 * over the journal atomically, so a crash leaves either the old or the new journal.
 *
 * <p><b>Threading:</b> thread-safe. Lock order: the sync lock, then the journal's monitor.
 *
 * <p><b>Errors:</b> I/O failures are {@link IOException}s; after a failed append or force the
 * journal refuses further appends (its state on disk is unknown until the next recovery).
 */
final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    static final byte[] MAGIC = {'S', 'T', 'W', 'J'};
    /** Format version written. Version 1 (WRITE records without sector checksums) is read, then rewritten. */
    static final int VERSION = 2;
    static final int HEADER_LENGTH = 64;
    static final int SECTOR_SIZE = 512;
    /** Largest record payload accepted (a slot bitmap of a 64 MiB slot is 16 KiB). */
    static final int MAX_PAYLOAD = 1 << 20;
    /** Length prefix (4) + type (1) + CRC (4). */
    static final int RECORD_OVERHEAD = 9;

    /** What a journal file's header says. */
    record Header(int slotSize, int slotCount, long epoch, long createdMillis, int formatVersion) {
    }

    /** The result of reading a journal at open. */
    record Replay(Header header, List<JournalRecord> records, List<Long> endOffsets, long validLength,
                  long discardedBytes) {
    }

    private final Path file;
    private final FileChannel data;
    private final ReentrantLock syncLock = new ReentrantLock();
    private FileChannel channel; // guarded by this
    private long position; // guarded by this
    private long checkpointSize; // guarded by this: size right after the last open or compaction
    private long appended; // guarded by this
    private Header header; // guarded by this
    private volatile long durable;
    private volatile boolean failed;
    private final java.util.concurrent.atomic.LongAdder forces = new java.util.concurrent.atomic.LongAdder();

    private Journal(Path file, FileChannel data, FileChannel channel, long position, Header header) {
        this.file = file;
        this.data = data;
        this.channel = channel;
        this.position = position;
        this.checkpointSize = position;
        this.header = header;
    }

    /**
     * Opens (or creates, when {@code file} does not exist) a journal and returns it with the records found.
     *
     * @param data the cache data file, forced before the journal on every sync
     * @throws IOException when the file cannot be read, or its header is not a valid journal header
     */
    static Journal open(Path file, FileChannel data, int slotSize, int slotCount, long nowMillis,
                        List<JournalRecord> recordsOut) throws IOException {
        return open(file, data, slotSize, slotCount, nowMillis, recordsOut, new ArrayList<>());
    }

    /** As above; {@code endOffsetsOut} receives the byte offset just after each record. */
    static Journal open(Path file, FileChannel data, int slotSize, int slotCount, long nowMillis,
                        List<JournalRecord> recordsOut, List<Long> endOffsetsOut) throws IOException {
        if (!Files.exists(file)) {
            Header h = new Header(slotSize, slotCount, 1, nowMillis, VERSION);
            writeFresh(file, h, List.of());
        }
        Replay replay = read(file);
        Header h = replay.header();
        if (h.slotSize() != slotSize || h.slotCount() != slotCount) {
            throw new IOException("cache directory " + file.getParent() + " was made with " + h.slotCount()
                    + " slots of " + h.slotSize() + " bytes, but the settings ask for " + slotCount + " slots of "
                    + slotSize + " bytes: use the same settings, or a new cache directory");
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (replay.discardedBytes() > 0) {
            log.warn("cache journal {}: discarded {} bytes of incomplete or damaged records at the end (a write "
                    + "that was never acknowledged as durable)", file, replay.discardedBytes());
            ch.truncate(replay.validLength());
            ch.force(true);
        }
        recordsOut.addAll(replay.records());
        endOffsetsOut.addAll(replay.endOffsets());
        return new Journal(file, data, ch, replay.validLength(), h);
    }

    /** Reads a journal file without changing it. */
    static Replay read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Header h = parseHeader(bytes, file);
        List<JournalRecord> records = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int pos = HEADER_LENGTH;
        while (true) {
            if (bytes.length - pos < RECORD_OVERHEAD) {
                break;
            }
            int length = in.getInt(pos);
            if (length < 0 || length > MAX_PAYLOAD || bytes.length - pos < RECORD_OVERHEAD + length) {
                break;
            }
            int crc = in.getInt(pos + 5 + length);
            if (crc != crc(bytes, pos, 5 + length)) {
                break;
            }
            byte type = bytes[pos + 4];
            JournalRecord r;
            try {
                r = JournalRecord.decode(type, ByteBuffer.wrap(bytes, pos + 5, length).slice()
                        .order(ByteOrder.BIG_ENDIAN), h.formatVersion());
            } catch (IllegalArgumentException e) {
                // A record with a good CRC that does not parse was written by a newer version: refuse, do not skip.
                throw new IOException("cache journal " + file + " holds a record this version cannot read at offset "
                        + pos + ": " + e.getMessage());
            }
            records.add(r);
            pos += RECORD_OVERHEAD + length;
            ends.add((long) pos);
        }
        return new Replay(h, records, ends, pos, bytes.length - pos);
    }

    private static Header parseHeader(byte[] bytes, Path file) throws IOException {
        if (bytes.length < HEADER_LENGTH || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
            throw new IOException(file + " is not a Stowage cache journal (bad magic or shorter than its header)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        if (b.getInt(60) != crc(bytes, 0, 60)) {
            throw new IOException("cache journal " + file + ": header checksum mismatch (damaged file)");
        }
        int version = Short.toUnsignedInt(b.getShort(4));
        if (version != 1 && version != VERSION) {
            throw new IOException("cache journal " + file + " has format version " + version + "; this version reads "
                    + "versions 1 and " + VERSION + " (use the release that made this cache, or a new cache directory)");
        }
        int flags = Short.toUnsignedInt(b.getShort(6));
        if (flags != 0 || b.getInt(8) != HEADER_LENGTH || b.getInt(12) != SECTOR_SIZE) {
            throw new IOException("cache journal " + file + " uses flags, header length or sector size this version "
                    + "does not know");
        }
        return new Header(b.getInt(16), b.getInt(20), b.getLong(24), b.getLong(32), version);
    }

    static byte[] encodeHeader(Header h) {
        byte[] out = new byte[HEADER_LENGTH];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).putShort((short) h.formatVersion()).putShort((short) 0).putInt(HEADER_LENGTH).putInt(SECTOR_SIZE)
                .putInt(h.slotSize()).putInt(h.slotCount()).putLong(h.epoch()).putLong(h.createdMillis());
        b.putInt(60, crc(out, 0, 60));
        return out;
    }

    static byte[] encode(JournalRecord r) {
        int length = r.payloadLength();
        if (length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("journal record too large: " + length);
        }
        byte[] out = new byte[RECORD_OVERHEAD + length];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
        b.putInt(length).put(r.type());
        r.encodePayload(b);
        if (b.position() != 5 + length) {
            throw new IllegalStateException("record " + r + " wrote " + (b.position() - 5) + " bytes, declared " + length);
        }
        b.putInt(crc(out, 0, 5 + length));
        return out;
    }

    private static int crc(byte[] data, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(data, offset, length);
        return (int) c.getValue();
    }

    private static void writeFresh(Path target, Header h, List<JournalRecord> records) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            buf.put(encodeHeader(h));
            for (JournalRecord r : records) {
                byte[] e = encode(r);
                if (buf.remaining() < e.length) {
                    buf.flip();
                    writeFully(ch, buf);
                    buf.clear();
                }
                if (e.length > buf.capacity()) {
                    writeFully(ch, ByteBuffer.wrap(e));
                } else {
                    buf.put(e);
                }
            }
            buf.flip();
            writeFully(ch, buf);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(target.getParent());
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot open or force directories; the rename is still atomic there.
            log.debug("cannot force directory {}: {}", dir, e.toString());
        }
    }

    /** Appends a record (not yet durable) and returns its sequence number for {@link #sync}. */
    synchronized long append(JournalRecord r) throws IOException {
        if (failed) {
            throw new IOException("cache journal " + file + " failed earlier; restart to recover");
        }
        if (header.formatVersion() != VERSION) {
            throw new IOException("cache journal " + file + " has format version " + header.formatVersion()
                    + " and must be rewritten before new records are added");
        }
        ByteBuffer buf = ByteBuffer.wrap(encode(r));
        try {
            while (buf.hasRemaining()) {
                position += channel.write(buf, position);
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        return ++appended;
    }

    /**
     * Appends a FLUSH record saying the data of every record before {@code covered} is stable
     * (the data file was just forced). Not counted as an appended record (sync targets stay).
     */
    private synchronized void appendFlushMarker(FileChannel ch, long covered) throws IOException {
        if (ch != channel || header.formatVersion() != VERSION) {
            return; // compacted meanwhile: the checkpoint forced the data itself
        }
        ByteBuffer buf = ByteBuffer.wrap(encode(new JournalRecord.Flush(covered)));
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
    }

    /** Sequence number of the last appended record. */
    synchronized long lastAppended() {
        return appended;
    }

    /** Bytes in the journal file. */
    synchronized long size() {
        return position;
    }

    /** Bytes appended since the journal was opened or last compacted. */
    synchronized long growth() {
        return position - checkpointSize;
    }

    synchronized Header header() {
        return header;
    }

    /** Makes records up to {@code seq} (and the data they name) stable. */
    void sync(long seq) throws IOException {
        if (durable >= seq) {
            return;
        }
        syncLock.lock();
        try {
            if (durable >= seq) {
                return; // a force that started after our append covered us
            }
            if (failed) {
                // After a failed force the kernel may have dropped dirty pages: never report durability again.
                throw new IOException("cache journal " + file + " failed earlier; restart to recover");
            }
            long target;
            long covered;
            FileChannel ch;
            synchronized (this) {
                target = appended;
                covered = position;
                ch = channel;
            }
            try {
                data.force(false);
                appendFlushMarker(ch, covered);
                ch.force(false);
                forces.increment();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
            durable = Math.max(durable, target);
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Makes every record appended so far stable without forcing the data file (for records that
     * name no new data, such as COMMIT and CLEAN: their chunks are in the bucket). Earlier WRITE
     * records become stable too, but without a FLUSH record, so recovery still checks their
     * sectors against the data file (as when the OS writes journal pages back before data pages).
     * Does not count as a flush: a later {@link #sync} still forces both files.
     */
    void forceRecords() throws IOException {
        syncLock.lock();
        try {
            if (failed) {
                throw new IOException("cache journal " + file + " failed earlier; restart to recover");
            }
            FileChannel ch;
            synchronized (this) {
                ch = channel;
            }
            try {
                ch.force(false);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** Pairs of forces (data file + journal) done by {@link #sync}. */
    long forces() {
        return forces.sum();
    }

    /** Makes everything appended so far stable. */
    void syncAll() throws IOException {
        sync(lastAppended());
    }

    /**
     * Replaces the journal with {@code checkpoint}: the data file is forced, the checkpoint written
     * to a temporary file, forced and renamed over the journal. The caller guarantees that no
     * state changes are appended meanwhile (appends would block, then land in the new journal).
     */
    void rewrite(List<JournalRecord> checkpoint) throws IOException {
        syncLock.lock();
        try {
            synchronized (this) {
                if (failed) {
                    throw new IOException("cache journal " + file + " failed earlier; restart to recover");
                }
                data.force(false);
                Header next = new Header(header.slotSize(), header.slotCount(), header.epoch() + 1,
                        header.createdMillis(), VERSION);
                writeFresh(file, next, checkpoint);
                FileChannel old = channel;
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                position = channel.size();
                checkpointSize = position;
                header = next;
                durable = appended;
                old.close();
            }
        } finally {
            syncLock.unlock();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
