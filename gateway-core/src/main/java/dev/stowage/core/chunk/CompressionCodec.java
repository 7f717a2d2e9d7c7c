package dev.stowage.core.chunk;

/** How a chunk's payload is compressed; {@link #id()} is the byte stored in the frame header. */
public enum CompressionCodec {
    /** Stored as is (also used whenever compression would not save enough). */
    NONE(0),
    /** Zstandard, one frame. */
    ZSTD(1);

    private final int id;

    CompressionCodec(int id) {
        this.id = id;
    }

    /** The header byte. Never reuse or renumber an id: frames in buckets carry it. */
    public int id() {
        return id;
    }

    /** The codec with this header byte, or null when unknown. */
    public static CompressionCodec fromId(int id) {
        for (CompressionCodec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
