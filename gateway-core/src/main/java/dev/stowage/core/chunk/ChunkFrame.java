package dev.stowage.core.chunk;

import dev.stowage.core.chunk.CorruptChunkException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The header of a chunk object, format version 1 (documented byte by byte in docs/s3-layout.md).
 * All integers are big-endian and unsigned.
 *
 * <pre>
 * offset size field
 *      0    4 magic "STWC" (0x53 0x54 0x57 0x43)
 *      4    1 format version (1)
 *      5    1 compression codec id ({@link CompressionCodec})
 *      6    1 encryption codec id ({@link EncryptionCodec})
 *      7    1 flags, 0 (reserved; a reader rejects non-zero)
 *      8    4 encryption key id, 0 when not encrypted
 *     12    4 plaintext length
 *     16    4 stored length: bytes of payload after the header
 *     20    4 CRC32C of the plaintext; 0 when encrypted (GCM authenticates instead)
 *     24   12 AES-GCM nonce; all zero when not encrypted
 *     36    4 CRC32C of bytes 0..35
 *     40      payload: the (compressed) plaintext, or its AES-GCM ciphertext followed by the 16-byte tag
 * </pre>
 *
 * <p>When encrypted, all 40 header bytes are the GCM additional authenticated data, so no header
 * field can be changed without failing authentication.
 *
 * @param compression    how the payload is compressed
 * @param encryption     how the payload is encrypted
 * @param keyId          encryption key id (0 when not encrypted), 0..2^32-1
 * @param plaintextLength length of the chunk's plaintext
 * @param storedLength   payload length after the header
 * @param plaintextCrc   CRC32C of the plaintext, 0 when encrypted
 * @param nonce          12 bytes, all zero when not encrypted
 */
record ChunkFrame(CompressionCodec compression, EncryptionCodec encryption, long keyId, int plaintextLength,
                  int storedLength, int plaintextCrc, byte[] nonce) {

    static final byte[] MAGIC = {'S', 'T', 'W', 'C'};
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 40;
    static final int NONCE_LENGTH = 12;
    static final int TAG_LENGTH = 16;
    static final int HEADER_CRC_OFFSET = 36;
    static final int NONCE_OFFSET = 24;

    ChunkFrame {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("nonce must be " + NONCE_LENGTH + " bytes");
        }
    }

    /** Writes the 40-byte header, header checksum included, at the start of {@code frame}. */
    void writeTo(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame, 0, HEADER_LENGTH).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC);
        b.put((byte) VERSION);
        b.put((byte) compression.id());
        b.put((byte) encryption.id());
        b.put((byte) 0);
        b.putInt((int) keyId);
        b.putInt(plaintextLength);
        b.putInt(storedLength);
        b.putInt(plaintextCrc);
        b.put(nonce);
        b.putInt(crc32c(frame, 0, HEADER_CRC_OFFSET));
    }

    /**
     * Parses and checks the header of {@code frame}: magic, version, header checksum, codec ids,
     * field consistency and the object's length. Does not look at the payload.
     *
     * @param maxPlaintext largest plaintext length accepted
     */
    static ChunkFrame parse(byte[] frame, String objectKey, int maxPlaintext) {
        if (frame.length >= MAGIC.length && !Arrays.equals(frame, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptChunkException(objectKey, Reason.BAD_MAGIC, "object of " + frame.length + " bytes");
        }
        if (frame.length < MAGIC.length + 1) {
            throw new CorruptChunkException(objectKey, Reason.TRUNCATED, "object of " + frame.length
                    + " bytes is shorter than the " + HEADER_LENGTH + "-byte header");
        }
        int version = frame[4] & 0xff;
        if (version != VERSION) {
            throw new CorruptChunkException(objectKey, Reason.UNSUPPORTED_VERSION, "version " + version
                    + ", this gateway reads version " + VERSION);
        }
        if (frame.length < HEADER_LENGTH) {
            throw new CorruptChunkException(objectKey, Reason.TRUNCATED, "object of " + frame.length
                    + " bytes is shorter than the " + HEADER_LENGTH + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        int storedCrc = b.getInt(HEADER_CRC_OFFSET);
        int actualCrc = crc32c(frame, 0, HEADER_CRC_OFFSET);
        if (storedCrc != actualCrc) {
            throw new CorruptChunkException(objectKey, Reason.HEADER_CHECKSUM, String.format(
                    "stored %08x, computed %08x", storedCrc, actualCrc));
        }
        int compressionId = frame[5] & 0xff;
        int encryptionId = frame[6] & 0xff;
        CompressionCodec compression = CompressionCodec.fromId(compressionId);
        if (compression == null) {
            throw new CorruptChunkException(objectKey, Reason.UNKNOWN_CODEC, "compression codec id " + compressionId);
        }
        EncryptionCodec encryption = EncryptionCodec.fromId(encryptionId);
        if (encryption == null) {
            throw new CorruptChunkException(objectKey, Reason.UNKNOWN_CODEC, "encryption codec id " + encryptionId);
        }
        int flags = frame[7] & 0xff;
        if (flags != 0) {
            throw new CorruptChunkException(objectKey, Reason.MALFORMED_HEADER, "unknown flags " + flags);
        }
        long keyId = Integer.toUnsignedLong(b.getInt(8));
        long plaintextLength = Integer.toUnsignedLong(b.getInt(12));
        long storedLength = Integer.toUnsignedLong(b.getInt(16));
        int plaintextCrc = b.getInt(20);
        byte[] nonce = Arrays.copyOfRange(frame, NONCE_OFFSET, NONCE_OFFSET + NONCE_LENGTH);

        long actualStored = frame.length - HEADER_LENGTH;
        if (storedLength > actualStored) {
            throw new CorruptChunkException(objectKey, Reason.TRUNCATED, "header promises " + storedLength
                    + " payload bytes, object has " + actualStored);
        }
        if (storedLength < actualStored) {
            throw new CorruptChunkException(objectKey, Reason.MALFORMED_HEADER, "header promises " + storedLength
                    + " payload bytes, object has " + actualStored + " (trailing data)");
        }
        if (plaintextLength > maxPlaintext) {
            throw new CorruptChunkException(objectKey, Reason.TOO_LARGE, "plaintext length " + plaintextLength
                    + " > maximum " + maxPlaintext);
        }
        boolean encrypted = encryption != EncryptionCodec.NONE;
        boolean zeroNonce = Arrays.equals(nonce, new byte[NONCE_LENGTH]);
        if (!encrypted && (keyId != 0 || !zeroNonce)) {
            throw new CorruptChunkException(objectKey, Reason.MALFORMED_HEADER,
                    "unencrypted chunk with a key id or nonce");
        }
        if (encrypted && (keyId == 0 || plaintextCrc != 0)) {
            throw new CorruptChunkException(objectKey, Reason.MALFORMED_HEADER,
                    "encrypted chunk with key id 0 or a plaintext checksum");
        }
        long body = encrypted ? storedLength - TAG_LENGTH : storedLength;
        if (body < 0) {
            throw new CorruptChunkException(objectKey, Reason.TRUNCATED, "encrypted payload of " + storedLength
                    + " bytes is shorter than the " + TAG_LENGTH + "-byte tag");
        }
        if (compression == CompressionCodec.NONE && body != plaintextLength) {
            throw new CorruptChunkException(objectKey, Reason.MALFORMED_HEADER, "uncompressed payload of " + body
                    + " bytes for a plaintext of " + plaintextLength);
        }
        return new ChunkFrame(compression, encryption, keyId, (int) plaintextLength, (int) storedLength,
                plaintextCrc, nonce);
    }

    static int crc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }
}
