package dev.stowage.core.chunk;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The address of a chunk: HMAC-SHA-256 of its plaintext under the gateway's chunk-id secret
 * (see {@link ChunkHasher}), 32 bytes, written as 64 lower-case hex digits.
 *
 * <p>In the bucket a chunk lives under {@link #objectKey()}: {@code chunks/<first 2 hex>/<64 hex>}.
 * The two-digit fan-out spreads keys over 256 prefixes, so S3 can partition request load by
 * prefix and a sweep of all chunks can list the 256 prefixes in parallel (see docs/s3-layout.md).
 *
 * <p>Immutable and thread-safe. Value semantics: equal ids have equal bytes.
 */
public final class ChunkId implements Comparable<ChunkId> {

    /** Length of an id in bytes. */
    public static final int LENGTH = 32;
    /** Prefix of every chunk object key (relative to the store's prefix). */
    public static final String KEY_PREFIX = "chunks/";

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int hash;

    private ChunkId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** An id from its 32 raw bytes (copied). */
    public static ChunkId of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a chunk id is " + LENGTH + " bytes, got " + bytes.length);
        }
        return new ChunkId(bytes.clone());
    }

    /** An id from its 64 hex digits (either case). */
    public static ChunkId parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a chunk id is " + 2 * LENGTH + " hex digits, got " + hex.length()
                    + " characters");
        }
        try {
            return new ChunkId(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a chunk id is " + 2 * LENGTH + " hex digits, got '" + hex + "'", e);
        }
    }

    /** The id named by a chunk object key {@code chunks/xx/<hex>}; rejects any other key. */
    public static ChunkId fromObjectKey(String key) {
        Objects.requireNonNull(key, "key");
        int expected = KEY_PREFIX.length() + 3 + 2 * LENGTH;
        if (key.length() != expected || !key.startsWith(KEY_PREFIX) || key.charAt(KEY_PREFIX.length() + 2) != '/') {
            throw new IllegalArgumentException("not a chunk object key (chunks/<2 hex>/<64 hex>): " + key);
        }
        ChunkId id = parse(key.substring(KEY_PREFIX.length() + 3));
        if (!id.objectKey().equals(key)) {
            throw new IllegalArgumentException("chunk object key is not in canonical form (lower-case hex, "
                    + "fan-out directory = first 2 digits): " + key);
        }
        return id;
    }

    /** The 32 raw bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Writes the 32 raw bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, LENGTH);
    }

    /** 64 lower-case hex digits. */
    public String hex() {
        return HEX.formatHex(bytes);
    }

    /** The object key of this chunk, relative to the store's prefix: {@code chunks/<first 2 hex>/<64 hex>}. */
    public String objectKey() {
        String hex = hex();
        return KEY_PREFIX + hex.substring(0, 2) + '/' + hex;
    }

    /** True when {@code other} holds the same 32 bytes; compared in constant time. */
    public boolean matches(byte[] other) {
        return java.security.MessageDigest.isEqual(bytes, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkId other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(ChunkId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
