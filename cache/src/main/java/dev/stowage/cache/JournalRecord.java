package dev.stowage.cache;

import dev.stowage.core.chunk.ChunkId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One record of the cache journal (see {@link Journal} and docs/cache.md for the byte layout).
 * Each record type is a small immutable value; {@link #encodePayload} writes its payload, and
 * {@link #decode} reads it back.
 */
sealed interface JournalRecord {

    byte TYPE_VOLUME = 1;
    byte TYPE_WRITE = 2;
    byte TYPE_ZERO = 3;
    byte TYPE_CLEAN = 4;
    byte TYPE_COMMIT = 5;
    byte TYPE_SLOT = 6;
    byte TYPE_FLUSH = 7;
    byte TYPE_WARM = 8;

    byte type();

    /** Payload size in bytes. */
    int payloadLength();

    void encodePayload(ByteBuffer out);

    /** A volume known to the pool under a small number used by the other records. */
    record Volume(int volume, long volumeSize, int chunkSize, String volumeId) implements JournalRecord {
        public Volume {
            Objects.requireNonNull(volumeId, "volumeId");
        }

        public byte type() {
            return TYPE_VOLUME;
        }

        public int payloadLength() {
            return 4 + 8 + 4 + 2 + volumeId.getBytes(StandardCharsets.UTF_8).length;
        }

        public void encodePayload(ByteBuffer out) {
            byte[] id = volumeId.getBytes(StandardCharsets.UTF_8);
            out.putInt(volume).putLong(volumeSize).putInt(chunkSize).putShort((short) id.length).put(id);
        }
    }

    /**
     * Sectors {@code [firstSector, firstSector + sectorCount)} of {@code slot} hold data of (volume, chunk),
     * version {@code gen}. {@code fresh} marks the first write of a new cache entry: the slot's earlier
     * content means nothing for this chunk (replay must not keep valid sectors from older records).
     * {@code zeroRest} (only with {@code fresh}) says the chunk was all zeros before this write: the
     * other sectors of the slot are zeros. {@code sectorCrcs} holds the CRC32C of each written sector
     * (format version 2), so replay can tell whether the data reached the data file; it is null for a
     * record read from a version-1 journal (trusted as before).
     */
    record Write(int slot, int volume, long chunk, long gen, int firstSector, int sectorCount, boolean fresh,
                 boolean zeroRest, int[] sectorCrcs) implements JournalRecord {
        static final int FLAG_FRESH = 1;
        static final int FLAG_ZERO_REST = 2;

        public Write {
            if (sectorCrcs != null && sectorCrcs.length != sectorCount) {
                throw new IllegalArgumentException(sectorCrcs.length + " sector checksums for " + sectorCount
                        + " sectors");
            }
            if (zeroRest && !fresh) {
                throw new IllegalArgumentException("zeroRest needs fresh");
            }
        }

        public byte type() {
            return TYPE_WRITE;
        }

        public int payloadLength() {
            return 4 + 4 + 8 + 8 + 4 + 4 + 1 + 4 * sectorCount;
        }

        public void encodePayload(ByteBuffer out) {
            if (sectorCrcs == null) {
                throw new IllegalStateException("a WRITE record needs its sector checksums to be written");
            }
            out.putInt(slot).putInt(volume).putLong(chunk).putLong(gen).putInt(firstSector).putInt(sectorCount)
                    .put((byte) ((fresh ? FLAG_FRESH : 0) | (zeroRest ? FLAG_ZERO_REST : 0)));
            for (int c : sectorCrcs) {
                out.putInt(c);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Write w && slot == w.slot && volume == w.volume && chunk == w.chunk && gen == w.gen
                    && firstSector == w.firstSector && sectorCount == w.sectorCount && fresh == w.fresh
                    && zeroRest == w.zeroRest && java.util.Arrays.equals(sectorCrcs, w.sectorCrcs);
        }

        @Override
        public int hashCode() {
            return Objects.hash(slot, volume, chunk, gen, firstSector, sectorCount, fresh, zeroRest)
                    + java.util.Arrays.hashCode(sectorCrcs);
        }
    }

    /** The whole chunk became zeros (unmapped) in version {@code gen}; any slot it had is released. */
    record Zero(int volume, long chunk, long gen) implements JournalRecord {
        public byte type() {
            return TYPE_ZERO;
        }

        public int payloadLength() {
            return 4 + 8 + 8;
        }

        public void encodePayload(ByteBuffer out) {
            out.putInt(volume).putLong(chunk).putLong(gen);
        }
    }

    /** Version {@code gen} of (volume, chunk) is in a committed root; {@code slot} is -1 for a zeroed chunk. */
    record Clean(int slot, int volume, long chunk, long gen) implements JournalRecord {
        public byte type() {
            return TYPE_CLEAN;
        }

        public int payloadLength() {
            return 4 + 4 + 8 + 8;
        }

        public void encodePayload(ByteBuffer out) {
            out.putInt(slot).putInt(volume).putLong(chunk).putLong(gen);
        }
    }

    /** The volume's recovery point: root record chunk {@code root} of manifest generation {@code generation}. */
    record Commit(int volume, long generation, ChunkId root) implements JournalRecord {
        public Commit {
            Objects.requireNonNull(root, "root");
        }

        public byte type() {
            return TYPE_COMMIT;
        }

        public int payloadLength() {
            return 4 + 8 + ChunkId.LENGTH;
        }

        public void encodePayload(ByteBuffer out) {
            out.putInt(volume).putLong(generation).put(root.bytes());
        }
    }

    /**
     * The data file was forced after every record ending at or before journal byte {@code coveredOffset}
     * was appended (format version 2): their data is on stable storage. Appended by a flush between
     * forcing the data file and forcing the journal.
     */
    record Flush(long coveredOffset) implements JournalRecord {
        public byte type() {
            return TYPE_FLUSH;
        }

        public int payloadLength() {
            return 8;
        }

        public void encodePayload(ByteBuffer out) {
            out.putLong(coveredOffset);
        }
    }

    /**
     * Slot {@code slot} holds the whole of (volume, chunk) as in the committed recovery point, version
     * {@code gen}, and the first chunk-length bytes of the slot have CRC32C {@code crc}: written when a
     * chunk becomes CLEAN (read from the bucket, or committed), so the chunk can be used after a
     * restart once its slot still matches the checksum.
     */
    record Warm(int slot, int volume, long chunk, long gen, int crc) implements JournalRecord {
        public byte type() {
            return TYPE_WARM;
        }

        public int payloadLength() {
            return 4 + 4 + 8 + 8 + 4;
        }

        public void encodePayload(ByteBuffer out) {
            out.putInt(slot).putInt(volume).putLong(chunk).putLong(gen).putInt(crc);
        }
    }

    /** Checkpoint form of a not-yet-clean slot: its key, version and valid-sector bitmap. */
    record Slot(int slot, int volume, long chunk, long gen, byte[] validBitmap) implements JournalRecord {
        public Slot {
            Objects.requireNonNull(validBitmap, "validBitmap");
        }

        public byte type() {
            return TYPE_SLOT;
        }

        public int payloadLength() {
            return 4 + 4 + 8 + 8 + 4 + validBitmap.length;
        }

        public void encodePayload(ByteBuffer out) {
            out.putInt(slot).putInt(volume).putLong(chunk).putLong(gen).putInt(validBitmap.length).put(validBitmap);
        }
    }

    /** CRC32C of each of {@code count} 512-byte sectors starting at {@code data}'s position (not moved). */
    static int[] sectorCrcs(ByteBuffer data, int count) {
        int[] out = new int[count];
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        ByteBuffer d = data.duplicate();
        for (int i = 0; i < count; i++) {
            crc.reset();
            d.limit(d.position() + Journal.SECTOR_SIZE);
            crc.update(d); // advances d to the limit
            out[i] = (int) crc.getValue();
            d.limit(d.capacity());
        }
        return out;
    }

    /** CRC32C of one sector of {@code data} at byte {@code offset}. */
    static int sectorCrc(byte[] data, int offset) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data, offset, Journal.SECTOR_SIZE);
        return (int) crc.getValue();
    }

    /**
     * Decodes one payload.
     *
     * @throws IllegalArgumentException when the payload does not fit its type
     */
    static JournalRecord decode(byte type, ByteBuffer in, int formatVersion) {
        try {
            JournalRecord r = switch (type) {
                case TYPE_VOLUME -> {
                    int volume = in.getInt();
                    long size = in.getLong();
                    int chunkSize = in.getInt();
                    byte[] id = new byte[Short.toUnsignedInt(in.getShort())];
                    in.get(id);
                    yield new Volume(volume, size, chunkSize, new String(id, StandardCharsets.UTF_8));
                }
                case TYPE_WRITE -> {
                    int slot = in.getInt();
                    int volume = in.getInt();
                    long chunk = in.getLong();
                    long gen = in.getLong();
                    int first = in.getInt();
                    int count = in.getInt();
                    int flags = in.get() & 0xff;
                    int known = formatVersion == 1 ? Write.FLAG_FRESH : Write.FLAG_FRESH | Write.FLAG_ZERO_REST;
                    if ((flags & ~known) != 0 || flags == Write.FLAG_ZERO_REST) {
                        throw new IllegalArgumentException("unknown WRITE flags " + flags);
                    }
                    int[] crcs = null;
                    if (formatVersion >= 2) {
                        if (count < 0 || count > in.remaining() / 4) {
                            throw new IllegalArgumentException("WRITE of " + count + " sectors has "
                                    + in.remaining() + " bytes of checksums");
                        }
                        crcs = new int[count];
                        for (int i = 0; i < count; i++) {
                            crcs[i] = in.getInt();
                        }
                    }
                    yield new Write(slot, volume, chunk, gen, first, count, (flags & Write.FLAG_FRESH) != 0,
                            (flags & Write.FLAG_ZERO_REST) != 0, crcs);
                }
                case TYPE_ZERO -> new Zero(in.getInt(), in.getLong(), in.getLong());
                case TYPE_CLEAN -> new Clean(in.getInt(), in.getInt(), in.getLong(), in.getLong());
                case TYPE_COMMIT -> {
                    int volume = in.getInt();
                    long gen = in.getLong();
                    byte[] id = new byte[ChunkId.LENGTH];
                    in.get(id);
                    yield new Commit(volume, gen, ChunkId.of(id));
                }
                case TYPE_FLUSH -> {
                    if (formatVersion < 2) {
                        throw new IllegalArgumentException("FLUSH record in a version-1 journal");
                    }
                    yield new Flush(in.getLong());
                }
                case TYPE_WARM -> {
                    if (formatVersion < 2) {
                        throw new IllegalArgumentException("WARM record in a version-1 journal");
                    }
                    yield new Warm(in.getInt(), in.getInt(), in.getLong(), in.getLong(), in.getInt());
                }
                case TYPE_SLOT -> {
                    int slot = in.getInt();
                    int volume = in.getInt();
                    long chunk = in.getLong();
                    long gen = in.getLong();
                    int length = in.getInt();
                    if (length < 0 || length > in.remaining()) {
                        throw new IllegalArgumentException("bitmap length " + length);
                    }
                    byte[] bitmap = new byte[length];
                    in.get(bitmap);
                    yield new Slot(slot, volume, chunk, gen, bitmap);
                }
                default -> throw new IllegalArgumentException("unknown journal record type " + type);
            };
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("journal record type " + type + " has " + in.remaining()
                        + " trailing bytes");
            }
            return r;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("journal record type " + type + " is too short", e);
        }
    }
}
