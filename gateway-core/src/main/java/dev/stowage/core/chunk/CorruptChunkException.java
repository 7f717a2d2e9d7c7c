package dev.stowage.core.chunk;

import java.util.Objects;

/**
 * A chunk read from the bucket failed verification: the object under {@link #objectKey()} is
 * not a valid frame, cannot be decrypted with the keys at hand, or does not hold the content its
 * id promises. The chunk store never returns data in that case; the caller treats the chunk as
 * lost (re-read from another copy, report it, or fail the read with a medium error).
 *
 * <p>The message names the object key and what failed; it never contains chunk data or keys.
 */
public final class CorruptChunkException extends RuntimeException {

    /** What failed. */
    public enum Reason {
        /** The object does not start with the chunk frame magic: not a chunk, or overwritten. */
        BAD_MAGIC("not a chunk frame (bad magic)"),
        /** A format version this gateway does not know (written by a newer gateway, or damaged). */
        UNSUPPORTED_VERSION("unsupported frame format version"),
        /** A compression or encryption codec id this gateway does not know. */
        UNKNOWN_CODEC("unknown codec"),
        /** Header fields contradict each other or the object's size. */
        MALFORMED_HEADER("malformed header"),
        /** The object is shorter than its header says. */
        TRUNCATED("truncated"),
        /** The header checksum (CRC32C) does not match. */
        HEADER_CHECKSUM("header checksum mismatch"),
        /** The plaintext checksum (CRC32C) of an unencrypted chunk does not match. */
        PLAINTEXT_CHECKSUM("plaintext checksum mismatch"),
        /** The compressed payload does not decompress to the recorded plaintext length. */
        DECOMPRESSION("payload does not decompress"),
        /** The plaintext is longer than this gateway accepts (raise the maximum chunk size if intended). */
        TOO_LARGE("chunk larger than the configured maximum"),
        /** Encrypted with a key id the key ring does not hold, or encrypted while no key ring is configured. */
        UNKNOWN_KEY("encryption key not available"),
        /** AES-GCM authentication failed: wrong key, or header, payload or tag altered. */
        AUTHENTICATION("authentication failed (wrong key or altered data)"),
        /** The decoded plaintext does not hash to the chunk id it was stored under. */
        CHUNK_ID_MISMATCH("content does not match the chunk id");

        private final String description;

        Reason(String description) {
            this.description = description;
        }

        /** A short phrase for messages. */
        public String description() {
            return description;
        }
    }

    private final String objectKey;
    private final Reason reason;

    public CorruptChunkException(String objectKey, Reason reason, String detail) {
        this(objectKey, reason, detail, null);
    }

    public CorruptChunkException(String objectKey, Reason reason, String detail, Throwable cause) {
        super("corrupt chunk " + objectKey + ": " + Objects.requireNonNull(reason, "reason").description()
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"), cause);
        this.objectKey = objectKey;
        this.reason = reason;
    }

    /** The key of the object that failed, relative to the store's prefix. */
    public String objectKey() {
        return objectKey;
    }

    /** What failed. */
    public Reason reason() {
        return reason;
    }
}
