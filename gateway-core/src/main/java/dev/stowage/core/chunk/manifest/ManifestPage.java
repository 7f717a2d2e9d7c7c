package dev.stowage.core.chunk.manifest;

import dev.stowage.core.chunk.ChunkId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * One page of a volume manifest tree: up to {@code fanOut} slots, each empty or naming a chunk.
 * In a leaf (level 0) slot {@code s} is the data chunk for chunk index {@code firstIndex + s};
 * in an interior page (level L ≥ 1) it is the child page covering the {@code fanOut^L} chunk
 * indexes from {@code firstIndex + s * fanOut^L}. Empty slots (zero data, or subtrees with only
 * zero data) are simply absent, so sparse volumes cost little.
 *
 * <p>A page is stored as a chunk (so it is compressed, encrypted, deduplicated and verified like
 * data) and is immutable: changing a slot makes a new page with a new id. Format version 1
 * (big-endian; see docs/s3-layout.md):
 * <pre>
 *  0  4 magic "STWP"
 *  4  1 version (1)
 *  5  1 level
 *  6  2 reserved (0)
 *  8  8 first chunk index covered
 * 16  4 fan-out
 * 20  4 entry count n
 * 24  n × (4 slot, 32 chunk id), slots strictly ascending and below the fan-out
 * end 4 CRC32C of everything before
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ManifestPage {

    static final byte[] MAGIC = {'S', 'T', 'W', 'P'};
    static final int VERSION = 1;
    private static final int HEADER = 24;
    private static final int ENTRY = 4 + ChunkId.LENGTH;

    private final int level;
    private final long firstIndex;
    private final int fanOut;
    private final int[] slots;
    private final ChunkId[] ids;

    private ManifestPage(int level, long firstIndex, int fanOut, int[] slots, ChunkId[] ids) {
        this.level = level;
        this.firstIndex = firstIndex;
        this.fanOut = fanOut;
        this.slots = slots;
        this.ids = ids;
    }

    /** A page from its present slots ({@code slot -> id}); slots must be in {@code [0, fanOut)}. */
    public static ManifestPage of(int level, long firstIndex, int fanOut, SortedMap<Integer, ChunkId> entries) {
        if (level < 0 || level > 255) {
            throw new IllegalArgumentException("page level must be 0..255, got " + level);
        }
        if (fanOut < 2) {
            throw new IllegalArgumentException("fan-out must be at least 2, got " + fanOut);
        }
        if (firstIndex < 0) {
            throw new IllegalArgumentException("first index must be >= 0, got " + firstIndex);
        }
        int[] s = new int[entries.size()];
        ChunkId[] c = new ChunkId[entries.size()];
        int i = 0;
        for (var e : entries.entrySet()) {
            int slot = e.getKey();
            if (slot < 0 || slot >= fanOut) {
                throw new IllegalArgumentException("slot " + slot + " outside a page of fan-out " + fanOut);
            }
            s[i] = slot;
            c[i] = Objects.requireNonNull(e.getValue(), "chunk id");
            i++;
        }
        return new ManifestPage(level, firstIndex, fanOut, s, c);
    }

    public int level() {
        return level;
    }

    public long firstIndex() {
        return firstIndex;
    }

    public int fanOut() {
        return fanOut;
    }

    /** Number of present slots. */
    public int size() {
        return slots.length;
    }

    /** The chunk in {@code slot}, or null when the slot is empty. */
    public ChunkId get(int slot) {
        int i = Arrays.binarySearch(slots, slot);
        return i >= 0 ? ids[i] : null;
    }

    /** The present slots in ascending order, as a new mutable map (for copy-on-write edits). */
    public TreeMap<Integer, ChunkId> entries() {
        TreeMap<Integer, ChunkId> m = new TreeMap<>();
        for (int i = 0; i < slots.length; i++) {
            m.put(slots[i], ids[i]);
        }
        return m;
    }

    /** Slot number of the i-th present entry (0 ≤ i < size()). */
    public int slotAt(int i) {
        return slots[i];
    }

    /** Chunk id of the i-th present entry (0 ≤ i < size()). */
    public ChunkId idAt(int i) {
        return ids[i];
    }

    /** The serialized page. */
    public byte[] encode() {
        byte[] out = new byte[HEADER + slots.length * ENTRY + 4];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).put((byte) VERSION).put((byte) level).putShort((short) 0);
        b.putLong(firstIndex).putInt(fanOut).putInt(slots.length);
        for (int i = 0; i < slots.length; i++) {
            b.putInt(slots[i]);
            ids[i].copyTo(out, b.position());
            b.position(b.position() + ChunkId.LENGTH);
        }
        b.putInt(crc(out, out.length - 4));
        return out;
    }

    /**
     * Parses a page read from chunk {@code source}, checking everything the format promises.
     *
     * @throws CorruptManifestException when the bytes are not a valid version-1 page
     */
    public static ManifestPage decode(byte[] data, ChunkId source) {
        String where = source.hex();
        if (data.length < HEADER + 4 || !Arrays.equals(data, 0, 4, MAGIC, 0, 4)) {
            throw new CorruptManifestException(where, "not a manifest page (bad magic or too short)");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        int version = data[4] & 0xff;
        if (version != VERSION) {
            throw new CorruptManifestException(where, "page format version " + version + ", this gateway reads "
                    + VERSION);
        }
        if (b.getInt(data.length - 4) != crc(data, data.length - 4)) {
            throw new CorruptManifestException(where, "page checksum mismatch");
        }
        int level = data[5] & 0xff;
        if (b.getShort(6) != 0) {
            throw new CorruptManifestException(where, "reserved page bytes are not zero");
        }
        long firstIndex = b.getLong(8);
        int fanOut = b.getInt(16);
        long count = Integer.toUnsignedLong(b.getInt(20));
        if (firstIndex < 0 || fanOut < 2) {
            throw new CorruptManifestException(where, "first index " + firstIndex + ", fan-out " + fanOut);
        }
        if (count > fanOut || HEADER + count * ENTRY + 4 != data.length) {
            throw new CorruptManifestException(where, count + " entries do not fit a page of " + data.length
                    + " bytes and fan-out " + fanOut);
        }
        int[] slots = new int[(int) count];
        ChunkId[] ids = new ChunkId[(int) count];
        int pos = HEADER;
        for (int i = 0; i < count; i++) {
            int slot = b.getInt(pos);
            if (slot < 0 || slot >= fanOut || (i > 0 && slot <= slots[i - 1])) {
                throw new CorruptManifestException(where, "slot " + slot + " out of order or outside fan-out "
                        + fanOut);
            }
            slots[i] = slot;
            ids[i] = ChunkId.of(Arrays.copyOfRange(data, pos + 4, pos + ENTRY));
            pos += ENTRY;
        }
        return new ManifestPage(level, firstIndex, fanOut, slots, ids);
    }

    private static int crc(byte[] data, int length) {
        CRC32C c = new CRC32C();
        c.update(data, 0, length);
        return (int) c.getValue();
    }

    @Override
    public String toString() {
        return "ManifestPage[level=" + level + ", first=" + firstIndex + ", entries=" + slots.length + "]";
    }
}
