package dev.stowage.core.chunk;

/** How a chunk's payload is encrypted; {@link #id()} is the byte stored in the frame header. */
public enum EncryptionCodec {
    /** Not encrypted (key id 0, nonce all zero). */
    NONE(0),
    /** AES-256-GCM, 96-bit random nonce in the header, 128-bit tag after the ciphertext, header as AAD. */
    AES_256_GCM(1);

    private final int id;

    EncryptionCodec(int id) {
        this.id = id;
    }

    /** The header byte. Never reuse or renumber an id: frames in buckets carry it. */
    public int id() {
        return id;
    }

    /** The codec with this header byte, or null when unknown. */
    public static EncryptionCodec fromId(int id) {
        for (EncryptionCodec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
