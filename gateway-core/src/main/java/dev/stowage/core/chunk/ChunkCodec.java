package dev.stowage.core.chunk;

import com.github.luben.zstd.Zstd;
import dev.stowage.core.chunk.CorruptChunkException.Reason;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Turns chunk plaintext into the bytes of a chunk object ({@link ChunkFrame} header + payload)
 * and back. Encoding compresses with zstd when that saves at least
 * {@link Settings#minSaving()} of the size (else the payload is stored raw, codec NONE; chunks of
 * 256 KiB and more are sampled first, so incompressible data is not compressed in full), then
 * encrypts with AES-256-GCM under the key ring's current key when encryption is on.
 *
 * <p>Decoding accepts every frame this format version allows, whatever the current settings
 * (a chunk written compressed, or encrypted under an older key, stays readable after the
 * settings change), and verifies everything: magic, version, header checksum, codec ids, lengths,
 * the GCM tag (wrong key or any altered bit fails), decompressed length and the plaintext
 * checksum. Any failure is a {@link CorruptChunkException} naming the object key; decoding never
 * returns wrong data. (Whether the plaintext matches its {@link ChunkId} is checked by
 * {@link ChunkStore}, which knows the id.)
 *
 * <p>Encryption uses a fresh random 96-bit nonce per chunk. With random nonces one key should
 * encrypt fewer than 2^32 chunks (16 PiB of 4 MiB chunks); rotate keys long before that.
 *
 * <p>Immutable and thread-safe; each call uses its own {@link Cipher}.
 */
public final class ChunkCodec {

    /** Largest plaintext this format can describe in practice (Java arrays), minus header and tag. */
    public static final int MAX_CHUNK_SIZE_LIMIT = Integer.MAX_VALUE - 64;

    private static final String GCM = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How chunks are encoded.
     *
     * @param compression  {@link CompressionCodec#ZSTD} to try compressing, {@link CompressionCodec#NONE} never to
     * @param zstdLevel    zstd level (1 fast .. 19 small; 3 is zstd's default)
     * @param minSaving    keep the compressed form only when it is at least this fraction smaller (0 ≤ x < 1);
     *                     0.05 means "at least 5% smaller", otherwise the chunk is stored raw
     * @param encrypt      encrypt new chunks with the key ring's current key
     * @param maxChunkSize largest plaintext accepted, on encode and decode (bounds memory on a hostile header)
     */
    public record Settings(CompressionCodec compression, int zstdLevel, double minSaving, boolean encrypt,
                           int maxChunkSize) {

        /** Default: zstd level 3, keep when ≥ 5% smaller, no encryption, chunks up to 64 MiB. */
        public static final Settings DEFAULT = new Settings(CompressionCodec.ZSTD, 3, 0.05, false, 64 << 20);

        public Settings {
            Objects.requireNonNull(compression, "compression");
            if (zstdLevel < Zstd.minCompressionLevel() || zstdLevel > Zstd.maxCompressionLevel()) {
                throw new IllegalArgumentException("zstd level must be " + Zstd.minCompressionLevel() + ".."
                        + Zstd.maxCompressionLevel() + ", got " + zstdLevel);
            }
            if (!(minSaving >= 0 && minSaving < 1)) {
                throw new IllegalArgumentException("minimum compression saving must be in [0, 1), got " + minSaving);
            }
            if (maxChunkSize < 1 || maxChunkSize > MAX_CHUNK_SIZE_LIMIT) {
                throw new IllegalArgumentException("maximum chunk size must be 1.." + MAX_CHUNK_SIZE_LIMIT + ", got "
                        + maxChunkSize);
            }
        }

        public Settings withCompression(CompressionCodec c) {
            return new Settings(c, zstdLevel, minSaving, encrypt, maxChunkSize);
        }

        public Settings withEncryption(boolean e) {
            return new Settings(compression, zstdLevel, minSaving, e, maxChunkSize);
        }

        public Settings withMinSaving(double s) {
            return new Settings(compression, zstdLevel, s, encrypt, maxChunkSize);
        }

        public Settings withMaxChunkSize(int max) {
            return new Settings(compression, zstdLevel, minSaving, encrypt, max);
        }
    }

    private final Settings settings;
    private final KeyRing keys;

    /**
     * @param settings how new chunks are encoded
     * @param keys     keys for encrypting (when {@code settings.encrypt()}) and for reading encrypted chunks;
     *                 null when the gateway has no encryption keys
     */
    public ChunkCodec(Settings settings, KeyRing keys) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.encrypt() && keys == null) {
            throw new IllegalArgumentException("chunk encryption is on but no key ring is configured");
        }
        this.keys = keys;
    }

    public Settings settings() {
        return settings;
    }

    /** The complete object bytes for {@code plaintext}. */
    public byte[] encode(byte[] plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        if (plaintext.length > settings.maxChunkSize()) {
            throw new IllegalArgumentException("chunk of " + plaintext.length + " bytes exceeds the maximum chunk size "
                    + settings.maxChunkSize());
        }
        CompressionCodec compression = CompressionCodec.NONE;
        byte[] body = plaintext;
        if (settings.compression() == CompressionCodec.ZSTD && plaintext.length > 0 && worthCompressing(plaintext)) {
            byte[] packed = Zstd.compress(plaintext, settings.zstdLevel());
            long limit = plaintext.length - Math.max(1, (long) Math.ceil(plaintext.length * settings.minSaving()));
            if (packed.length <= limit) {
                compression = CompressionCodec.ZSTD;
                body = packed;
            }
        }
        if (!settings.encrypt()) {
            byte[] frame = new byte[ChunkFrame.HEADER_LENGTH + body.length];
            new ChunkFrame(compression, EncryptionCodec.NONE, 0, plaintext.length, body.length,
                    ChunkFrame.crc32c(plaintext, 0, plaintext.length), new byte[ChunkFrame.NONCE_LENGTH])
                    .writeTo(frame);
            System.arraycopy(body, 0, frame, ChunkFrame.HEADER_LENGTH, body.length);
            return frame;
        }
        byte[] nonce = new byte[ChunkFrame.NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        int stored = body.length + ChunkFrame.TAG_LENGTH;
        byte[] frame = new byte[ChunkFrame.HEADER_LENGTH + stored];
        new ChunkFrame(compression, EncryptionCodec.AES_256_GCM, keys.currentKeyId(), plaintext.length, stored, 0,
                nonce).writeTo(frame);
        try {
            Cipher cipher = Cipher.getInstance(GCM);
            cipher.init(Cipher.ENCRYPT_MODE, keys.currentKey(), new GCMParameterSpec(ChunkFrame.TAG_LENGTH * 8, nonce));
            cipher.updateAAD(frame, 0, ChunkFrame.HEADER_LENGTH);
            int n = cipher.doFinal(body, 0, body.length, frame, ChunkFrame.HEADER_LENGTH);
            if (n != stored) {
                throw new IllegalStateException("AES-GCM produced " + n + " bytes, expected " + stored);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM encryption failed: " + e.getMessage(), e);
        }
        return frame;
    }

    /** Chunks at least this large are sampled before a full compression attempt. */
    static final int SAMPLE_FROM = 256 * 1024;
    private static final int SAMPLE_SLICES = 16;
    private static final int SAMPLE_SLICE = 4 * 1024;

    /**
     * Whether a full zstd attempt may pay off. A large chunk is judged by compressing sixteen 4 KiB
     * slices spread evenly over it (1/16 of a 1 MiB chunk): when they do not save half of
     * {@link Settings#minSaving()}, the chunk is taken as incompressible (random, already
     * compressed or encrypted data) and stored raw without compressing all of it. Any compressible
     * region of at least an eighth of the chunk contains a whole slice, so only chunks whose
     * compressible part is smaller than that may be stored raw although compression would have
     * saved a little.
     */
    private boolean worthCompressing(byte[] plaintext) {
        if (plaintext.length < SAMPLE_FROM) {
            return true;
        }
        byte[] sample = new byte[SAMPLE_SLICES * SAMPLE_SLICE];
        long step = (plaintext.length - SAMPLE_SLICE) / (SAMPLE_SLICES - 1);
        for (int i = 0; i < SAMPLE_SLICES; i++) {
            System.arraycopy(plaintext, (int) (i * step), sample, i * SAMPLE_SLICE, SAMPLE_SLICE);
        }
        long packed = Zstd.compress(sample, settings.zstdLevel()).length;
        return packed <= sample.length - (long) Math.ceil(sample.length * settings.minSaving() / 2);
    }

    /**
     * The verified plaintext in {@code frame}.
     *
     * @param objectKey the key the frame was read from, for error messages
     * @throws CorruptChunkException when anything does not verify
     */
    public byte[] decode(byte[] frame, String objectKey) {
        Objects.requireNonNull(frame, "frame");
        ChunkFrame header = ChunkFrame.parse(frame, objectKey, settings.maxChunkSize());
        byte[] body;
        int bodyOffset;
        int bodyLength;
        if (header.encryption() == EncryptionCodec.AES_256_GCM) {
            body = decrypt(frame, header, objectKey);
            bodyOffset = 0;
            bodyLength = body.length;
        } else {
            body = frame;
            bodyOffset = ChunkFrame.HEADER_LENGTH;
            bodyLength = header.storedLength();
        }
        byte[] plaintext = switch (header.compression()) {
            case NONE -> java.util.Arrays.copyOfRange(body, bodyOffset, bodyOffset + bodyLength);
            case ZSTD -> decompress(body, bodyOffset, bodyLength, header.plaintextLength(), objectKey);
        };
        if (plaintext.length != header.plaintextLength()) {
            // Only reachable for an uncompressed encrypted payload whose length contradicts the header.
            throw new CorruptChunkException(objectKey, Reason.MALFORMED_HEADER, "payload of " + plaintext.length
                    + " bytes for a plaintext of " + header.plaintextLength());
        }
        if (header.encryption() == EncryptionCodec.NONE) {
            int crc = ChunkFrame.crc32c(plaintext, 0, plaintext.length);
            if (crc != header.plaintextCrc()) {
                throw new CorruptChunkException(objectKey, Reason.PLAINTEXT_CHECKSUM, String.format(
                        "stored %08x, computed %08x", header.plaintextCrc(), crc));
            }
        }
        return plaintext;
    }

    private byte[] decrypt(byte[] frame, ChunkFrame header, String objectKey) {
        if (keys == null) {
            throw new CorruptChunkException(objectKey, Reason.UNKNOWN_KEY, "encrypted with key id " + header.keyId()
                    + " but no encryption key ring is configured");
        }
        SecretKey key = keys.key(header.keyId());
        if (key == null) {
            throw new CorruptChunkException(objectKey, Reason.UNKNOWN_KEY, "encrypted with key id " + header.keyId()
                    + ", the key ring holds " + keys.keyIds());
        }
        try {
            Cipher cipher = Cipher.getInstance(GCM);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(ChunkFrame.TAG_LENGTH * 8, header.nonce()));
            cipher.updateAAD(frame, 0, ChunkFrame.HEADER_LENGTH);
            return cipher.doFinal(frame, ChunkFrame.HEADER_LENGTH, header.storedLength());
        } catch (AEADBadTagException e) {
            throw new CorruptChunkException(objectKey, Reason.AUTHENTICATION, "key id " + header.keyId(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM decryption could not run: " + e.getMessage(), e);
        }
    }

    private static byte[] decompress(byte[] src, int offset, int length, int plaintextLength, String objectKey) {
        byte[] out = new byte[plaintextLength];
        long n;
        try {
            n = Zstd.decompressByteArray(out, 0, out.length, src, offset, length);
        } catch (RuntimeException e) {
            throw new CorruptChunkException(objectKey, Reason.DECOMPRESSION, "zstd: " + e.getMessage(), e);
        }
        if (Zstd.isError(n)) {
            throw new CorruptChunkException(objectKey, Reason.DECOMPRESSION, "zstd: " + Zstd.getErrorName(n));
        }
        if (n != plaintextLength) {
            throw new CorruptChunkException(objectKey, Reason.DECOMPRESSION, "decompressed to " + n
                    + " bytes, header says " + plaintextLength);
        }
        return out;
    }

    @Override
    public String toString() {
        return "ChunkCodec[" + settings + ", keys=" + keys + "]";
    }
}
