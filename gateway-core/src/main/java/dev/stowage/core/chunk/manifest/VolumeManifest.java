package dev.stowage.core.chunk.manifest;

import dev.stowage.core.chunk.ChunkId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The root of one state of a volume: its geometry and the id of the top page of its manifest
 * tree ({@link ManifestPage}). Immutable: every commit of new chunks makes a new root with a
 * higher generation, and old roots stay valid as long as their chunks are kept, so a
 * <b>snapshot</b> is just a saved root, and a <b>clone</b> starts a new volume from an existing
 * root (pages and chunks are shared, not copied).
 *
 * <p>The volume is cut into {@link #chunkCount()} chunks of {@link #chunkSize()} bytes (the last
 * one may be partly beyond the end). The tree has {@link #depth()} levels: leaves (level 0) map
 * chunk indexes to data chunks, and each level above multiplies the span by {@link #fanOut()}.
 * A null {@link #rootPage()} means the volume reads as all zeros.
 *
 * <p>Serialized format version 1 (big-endian; see docs/s3-layout.md):
 * <pre>
 *  0  4 magic "STWM"
 *  4  1 version (1)
 *  5  1 depth
 *  6  1 has root page (0 or 1)
 *  7  1 reserved (0)
 *  8  8 volume size in bytes
 * 16  4 chunk size in bytes
 * 20  4 fan-out
 * 24  8 generation
 * 32  8 created, milliseconds since the epoch
 * 40 32 root page chunk id (zeros when none)
 * 72  2 volume id length n
 * 74  n volume id, UTF-8
 * end 4 CRC32C of everything before
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class VolumeManifest {

    static final byte[] MAGIC = {'S', 'T', 'W', 'M'};
    static final int VERSION = 1;
    /** Default entries per page: 1024 (a full leaf is about 36 KiB and covers 4 GiB of 4 MiB chunks). */
    public static final int DEFAULT_FAN_OUT = 1024;
    private static final int FIXED = 74;
    private static final int MAX_ID_BYTES = 255;

    private final String volumeId;
    private final long volumeSize;
    private final int chunkSize;
    private final int fanOut;
    private final int depth;
    private final long generation;
    private final Instant created;
    private final ChunkId rootPage;

    private VolumeManifest(String volumeId, long volumeSize, int chunkSize, int fanOut, long generation,
                           Instant created, ChunkId rootPage) {
        this.volumeId = Objects.requireNonNull(volumeId, "volumeId");
        int idBytes = volumeId.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes == 0 || idBytes > MAX_ID_BYTES) {
            throw new IllegalArgumentException("volume id must be 1.." + MAX_ID_BYTES + " UTF-8 bytes, got " + idBytes);
        }
        if (chunkSize < 512 || chunkSize % 512 != 0) {
            throw new IllegalArgumentException("chunk size must be a positive multiple of 512 bytes, got " + chunkSize);
        }
        if (volumeSize < 1) {
            throw new IllegalArgumentException("volume size must be at least 1 byte, got " + volumeSize);
        }
        if (fanOut < 2 || fanOut > 1 << 20) {
            throw new IllegalArgumentException("fan-out must be 2..1048576, got " + fanOut);
        }
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0, got " + generation);
        }
        this.volumeSize = volumeSize;
        this.chunkSize = chunkSize;
        this.fanOut = fanOut;
        this.depth = depthFor(chunkCount(volumeSize, chunkSize), fanOut);
        this.generation = generation;
        this.created = Objects.requireNonNull(created, "created").truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        this.rootPage = rootPage;
    }

    /** The manifest of a new, all-zero volume (generation 0). */
    public static VolumeManifest empty(String volumeId, long volumeSize, int chunkSize, int fanOut, Instant created) {
        return new VolumeManifest(volumeId, volumeSize, chunkSize, fanOut, 0, created, null);
    }

    /** A successor of this root: same volume and geometry except as given. Used by {@link ManifestStore}. */
    VolumeManifest successor(long newVolumeSize, ChunkId newRoot, Instant when) {
        return new VolumeManifest(volumeId, newVolumeSize, chunkSize, fanOut, generation + 1, when, newRoot);
    }

    /** This root under another volume id, generation 0: the start of a clone. */
    public VolumeManifest cloneAs(String newVolumeId, Instant when) {
        return new VolumeManifest(newVolumeId, volumeSize, chunkSize, fanOut, 0, when, rootPage);
    }

    static long chunkCount(long volumeSize, int chunkSize) {
        return (volumeSize - 1) / chunkSize + 1;
    }

    /** Levels needed so that fanOut^depth ≥ chunkCount (at least 1). */
    static int depthFor(long chunkCount, int fanOut) {
        int d = 1;
        long span = fanOut;
        while (span < chunkCount) {
            d++;
            span = span > Long.MAX_VALUE / fanOut ? Long.MAX_VALUE : span * fanOut;
        }
        return d;
    }

    /** Chunk indexes covered by one slot of a page at {@code level}: fanOut^level. */
    long span(int level) {
        long s = 1;
        for (int i = 0; i < level; i++) {
            s = s > Long.MAX_VALUE / fanOut ? Long.MAX_VALUE : s * fanOut;
        }
        return s;
    }

    public String volumeId() {
        return volumeId;
    }

    public long volumeSize() {
        return volumeSize;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int fanOut() {
        return fanOut;
    }

    public int depth() {
        return depth;
    }

    public long generation() {
        return generation;
    }

    public Instant created() {
        return created;
    }

    /** Number of chunk indexes: ceil(volume size / chunk size). */
    public long chunkCount() {
        return chunkCount(volumeSize, chunkSize);
    }

    /** The top page of the tree, or null when every chunk is zero. */
    public ChunkId rootPage() {
        return rootPage;
    }

    /** The serialized root record. */
    public byte[] encode() {
        byte[] id = volumeId.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[FIXED + id.length + 4];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).put((byte) VERSION).put((byte) depth).put((byte) (rootPage == null ? 0 : 1)).put((byte) 0);
        b.putLong(volumeSize).putInt(chunkSize).putInt(fanOut).putLong(generation).putLong(created.toEpochMilli());
        if (rootPage != null) {
            rootPage.copyTo(out, 40);
        }
        b.position(72);
        b.putShort((short) id.length).put(id);
        b.putInt(crc(out, out.length - 4));
        return out;
    }

    /**
     * Parses a root record read from chunk {@code source}.
     *
     * @throws CorruptManifestException when the bytes are not a valid version-1 root
     */
    public static VolumeManifest decode(byte[] data, ChunkId source) {
        String where = source.hex();
        if (data.length < FIXED + 4 || !Arrays.equals(data, 0, 4, MAGIC, 0, 4)) {
            throw new CorruptManifestException(where, "not a volume manifest root (bad magic or too short)");
        }
        int version = data[4] & 0xff;
        if (version != VERSION) {
            throw new CorruptManifestException(where, "root format version " + version + ", this gateway reads "
                    + VERSION);
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        if (b.getInt(data.length - 4) != crc(data, data.length - 4)) {
            throw new CorruptManifestException(where, "root checksum mismatch");
        }
        int idLength = Short.toUnsignedInt(b.getShort(72));
        if (FIXED + idLength + 4 != data.length) {
            throw new CorruptManifestException(where, "volume id length " + idLength + " does not match the record");
        }
        int hasRoot = data[6] & 0xff;
        if (hasRoot > 1 || data[7] != 0) {
            throw new CorruptManifestException(where, "invalid flag bytes");
        }
        byte[] rootBytes = Arrays.copyOfRange(data, 40, 72);
        if (hasRoot == 0 && !Arrays.equals(rootBytes, new byte[ChunkId.LENGTH])) {
            throw new CorruptManifestException(where, "root page id present although marked absent");
        }
        VolumeManifest m;
        try {
            m = new VolumeManifest(new String(data, FIXED, idLength, StandardCharsets.UTF_8), b.getLong(8),
                    b.getInt(16), b.getInt(20), b.getLong(24), Instant.ofEpochMilli(b.getLong(32)),
                    hasRoot == 1 ? ChunkId.of(rootBytes) : null);
        } catch (IllegalArgumentException e) {
            throw new CorruptManifestException(where, e.getMessage());
        }
        if (m.depth != (data[5] & 0xff)) {
            throw new CorruptManifestException(where, "depth " + (data[5] & 0xff) + " does not fit the geometry (expected "
                    + m.depth + ")");
        }
        return m;
    }

    private static int crc(byte[] data, int length) {
        CRC32C c = new CRC32C();
        c.update(data, 0, length);
        return (int) c.getValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VolumeManifest m && volumeId.equals(m.volumeId) && volumeSize == m.volumeSize
                && chunkSize == m.chunkSize && fanOut == m.fanOut && generation == m.generation
                && created.equals(m.created) && Objects.equals(rootPage, m.rootPage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(volumeId, volumeSize, chunkSize, fanOut, generation, created, rootPage);
    }

    @Override
    public String toString() {
        return "VolumeManifest[" + volumeId + " gen " + generation + ", " + volumeSize + " bytes in " + chunkCount()
                + " chunks of " + chunkSize + ", depth " + depth + ", root " + (rootPage == null ? "none" : rootPage)
                + "]";
    }
}
