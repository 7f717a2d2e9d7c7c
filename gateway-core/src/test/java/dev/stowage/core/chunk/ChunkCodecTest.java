package dev.stowage.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.CorruptChunkException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkCodecTest {

    private static final String KEY = "chunks/ab/abcdef-test-object";
    private static final KeyRing RING = KeyRing.single(1, TestData.key(1));

    static ChunkCodec codec(CompressionCodec compression, boolean encrypt) {
        return new ChunkCodec(ChunkCodec.Settings.DEFAULT.withCompression(compression).withEncryption(encrypt),
                RING);
    }

    static Stream<Arguments> combinations() {
        return Stream.of(
                Arguments.of(CompressionCodec.NONE, false),
                Arguments.of(CompressionCodec.ZSTD, false),
                Arguments.of(CompressionCodec.NONE, true),
                Arguments.of(CompressionCodec.ZSTD, true));
    }

    static Stream<Arguments> combinationsAndSizes() {
        return combinations().flatMap(c -> Stream.of(0, 1, 2, 39, 40, 41, 4096, 4 << 20)
                .map(size -> Arguments.of(c.get()[0], c.get()[1], size)));
    }

    private static ChunkFrame header(byte[] frame) {
        return ChunkFrame.parse(frame, KEY, Integer.MAX_VALUE - 64);
    }

    @ParameterizedTest(name = "{0} encrypt={1} {2} bytes")
    @MethodSource("combinationsAndSizes")
    void roundTripsCompressibleAndRandomContent(CompressionCodec compression, boolean encrypt, int size) {
        ChunkCodec codec = codec(compression, encrypt);
        for (byte[] plaintext : new byte[][] {TestData.compressible(size, size), TestData.random(size, size + 1)}) {
            byte[] frame = codec.encode(plaintext);
            assertThat(codec.decode(frame, KEY)).isEqualTo(plaintext);
            ChunkFrame h = header(frame);
            assertThat(h.plaintextLength()).isEqualTo(size);
            assertThat(h.storedLength()).isEqualTo(frame.length - ChunkFrame.HEADER_LENGTH);
            assertThat(h.encryption()).isEqualTo(encrypt ? EncryptionCodec.AES_256_GCM : EncryptionCodec.NONE);
            assertThat(h.keyId()).isEqualTo(encrypt ? 1 : 0);
        }
    }

    /** Frames live in buckets for years: pin version 1 byte by byte (as in docs/s3-layout.md). */
    @Test
    void formatVersion1IsStable() {
        String golden = "53545743" + "01" + "00" + "00" + "00" // magic, version, no compression, no encryption, flags
                + "00000000" + "00000007" + "00000007"          // key id, plaintext length, stored length
                + "c12c3142"                                   // CRC32C("stowage")
                + "000000000000000000000000"                   // nonce (unused)
                + "d5265435"                                   // CRC32C of bytes 0..35
                + "73746f77616765";                            // "stowage"
        byte[] plaintext = "stowage".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] frame = codec(CompressionCodec.ZSTD, false).encode(plaintext); // zstd cannot shrink 7 bytes
        assertThat(java.util.HexFormat.of().formatHex(frame)).isEqualTo(golden);
        assertThat(codec(CompressionCodec.NONE, false).decode(java.util.HexFormat.of().parseHex(golden), KEY))
                .isEqualTo(plaintext);
    }

    @Test
    void compressibleDataIsStoredCompressed() {
        byte[] plaintext = TestData.compressible(4 << 20, 5);
        byte[] frame = codec(CompressionCodec.ZSTD, false).encode(plaintext);
        assertThat(header(frame).compression()).isEqualTo(CompressionCodec.ZSTD);
        assertThat(frame.length).isLessThan(plaintext.length / 2);
    }

    @ParameterizedTest(name = "encrypt={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void incompressibleDataIsKeptRaw(boolean encrypt) {
        byte[] plaintext = TestData.random(4 << 20, 6);
        byte[] frame = codec(CompressionCodec.ZSTD, encrypt).encode(plaintext);
        assertThat(header(frame).compression()).isEqualTo(CompressionCodec.NONE);
        assertThat(frame.length).isEqualTo(ChunkFrame.HEADER_LENGTH + plaintext.length
                + (encrypt ? ChunkFrame.TAG_LENGTH : 0));
        if (!encrypt) {
            assertThat(Arrays.copyOfRange(frame, ChunkFrame.HEADER_LENGTH, frame.length)).isEqualTo(plaintext);
        }
    }

    @Test
    void aLargeChunkWithACompressibleEighthAnywhereIsStillCompressed() {
        // Sampling must not make a chunk that is mostly random, with a compressible region of an
        // eighth of its size, go up raw: wherever the region lies, a sampled slice falls into it.
        int size = 1 << 20;
        ChunkCodec codec = codec(CompressionCodec.ZSTD, false);
        for (int at = 0; at + size / 8 <= size; at += size / 16) {
            byte[] plaintext = TestData.random(size, 40 + at);
            Arrays.fill(plaintext, at, at + size / 8, (byte) 0);
            byte[] frame = codec.encode(plaintext);
            assertThat(header(frame).compression()).as("zeros at %d", at).isEqualTo(CompressionCodec.ZSTD);
            assertThat(codec.decode(frame, KEY)).isEqualTo(plaintext);
        }
    }

    @Test
    void compressionIsKeptOnlyWhenItSavesTheConfiguredMargin() {
        // Half random, half zeros: zstd saves a bit under 50%.
        byte[] plaintext = new byte[64 << 10];
        System.arraycopy(TestData.random(32 << 10, 7), 0, plaintext, 0, 32 << 10);
        ChunkCodec.Settings zstd = ChunkCodec.Settings.DEFAULT.withCompression(CompressionCodec.ZSTD);

        byte[] lenient = new ChunkCodec(zstd.withMinSaving(0.3), null).encode(plaintext);
        assertThat(header(lenient).compression()).isEqualTo(CompressionCodec.ZSTD);

        byte[] strict = new ChunkCodec(zstd.withMinSaving(0.6), null).encode(plaintext);
        assertThat(header(strict).compression()).isEqualTo(CompressionCodec.NONE);
        assertThat(new ChunkCodec(zstd, null).decode(strict, KEY)).isEqualTo(plaintext);
    }

    @Test
    void encryptionHidesThePlaintextAndUsesAFreshNoncePerChunk() {
        byte[] plaintext = TestData.compressible(10_000, 8);
        ChunkCodec codec = codec(CompressionCodec.NONE, true);
        byte[] a = codec.encode(plaintext);
        byte[] b = codec.encode(plaintext);
        assertThat(header(a).nonce()).isNotEqualTo(header(b).nonce());
        assertThat(header(a).plaintextCrc()).isZero();
        byte[] probe = Arrays.copyOfRange(plaintext, 100, 132);
        assertThat(indexOf(a, probe)).isNegative();
        assertThat(codec.decode(a, KEY)).isEqualTo(plaintext);
        assertThat(codec.decode(b, KEY)).isEqualTo(plaintext);
    }

    @Test
    void settingsChangesDoNotAffectReadingOldChunks() {
        byte[] plaintext = TestData.compressible(100_000, 9);
        byte[] zstdEncrypted = codec(CompressionCodec.ZSTD, true).encode(plaintext);
        byte[] plain = codec(CompressionCodec.NONE, false).encode(plaintext);
        ChunkCodec reader = codec(CompressionCodec.NONE, false); // has the ring, encrypts nothing new
        assertThat(reader.decode(zstdEncrypted, KEY)).isEqualTo(plaintext);
        assertThat(codec(CompressionCodec.ZSTD, true).decode(plain, KEY)).isEqualTo(plaintext);
    }

    @Test
    void rotatedKeysKeepOldChunksReadableAndEncryptNewOnesWithTheNewKey() {
        byte[] plaintext = TestData.random(5000, 10);
        ChunkCodec.Settings enc = ChunkCodec.Settings.DEFAULT.withEncryption(true);
        byte[] underKey1 = new ChunkCodec(enc, KeyRing.single(1, TestData.key(1))).encode(plaintext);

        KeyRing rotated = new KeyRing(2, Map.of(1, TestData.key(1), 2, TestData.key(2)));
        ChunkCodec afterRotation = new ChunkCodec(enc, rotated);
        byte[] underKey2 = afterRotation.encode(plaintext);

        assertThat(header(underKey1).keyId()).isEqualTo(1);
        assertThat(header(underKey2).keyId()).isEqualTo(2);
        assertThat(afterRotation.decode(underKey1, KEY)).isEqualTo(plaintext);
        assertThat(afterRotation.decode(underKey2, KEY)).isEqualTo(plaintext);

        // A ring that dropped key 1 cannot read the old chunk, and says so.
        ChunkCodec onlyKey2 = new ChunkCodec(enc, KeyRing.single(2, TestData.key(2)));
        assertThatThrownBy(() -> onlyKey2.decode(underKey1, KEY))
                .isInstanceOfSatisfying(CorruptChunkException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
                    assertThat(e.getMessage()).contains(KEY).contains("key id 1");
                });
    }

    @Test
    void wrongKeyUnderTheSameIdFailsAuthentication() {
        byte[] frame = codec(CompressionCodec.ZSTD, true).encode(TestData.compressible(3000, 11));
        ChunkCodec wrong = new ChunkCodec(ChunkCodec.Settings.DEFAULT, KeyRing.single(1, TestData.key(99)));
        assertCorrupt(() -> wrong.decode(frame, KEY), Reason.AUTHENTICATION);
    }

    @Test
    void encryptedChunkWithoutAnyKeyRingIsReportedNotGuessed() {
        byte[] frame = codec(CompressionCodec.NONE, true).encode(TestData.random(100, 12));
        ChunkCodec noKeys = new ChunkCodec(ChunkCodec.Settings.DEFAULT, null);
        assertCorrupt(() -> noKeys.decode(frame, KEY), Reason.UNKNOWN_KEY);
    }

    /**
     * No single-bit flip anywhere in the object yields wrong data. Encrypted or uncompressed frames
     * detect every flip; an unencrypted zstd payload may contain bits zstd ignores (the frame
     * descriptor's unused bit and a few others), where a flip still decodes to exactly the original plaintext.
     */
    @ParameterizedTest(name = "{0} encrypt={1}")
    @MethodSource("combinations")
    void everySingleBitFlipIsDetectedOrHarmless(CompressionCodec compression, boolean encrypt) {
        ChunkCodec codec = codec(compression, encrypt);
        for (byte[] plaintext : new byte[][] {TestData.compressible(600, 13), TestData.random(200, 14)}) {
            byte[] frame = codec.encode(plaintext);
            boolean zstdPayload = header(frame).compression() == CompressionCodec.ZSTD;
            int harmless = 0;
            for (int bit = 0; bit < frame.length * 8; bit++) {
                byte[] damaged = frame.clone();
                damaged[bit / 8] ^= (byte) (1 << (bit % 8));
                byte[][] decoded = new byte[1][];
                Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                        () -> decoded[0] = codec.decode(damaged, KEY));
                if (thrown == null && !encrypt && zstdPayload && bit >= ChunkFrame.HEADER_LENGTH * 8) {
                    assertThat(decoded[0]).as("bit %d decoded without error", bit).isEqualTo(plaintext);
                    harmless++;
                    continue;
                }
                assertThat(thrown).as("bit %d of %d", bit, frame.length * 8)
                        .isInstanceOf(CorruptChunkException.class)
                        .hasMessageContaining(KEY);
            }
            assertThat(harmless).as("flips zstd ignores, out of %d", frame.length * 8).isLessThan(frame.length / 4);
        }
    }

    @Test
    void flippedBitsAreAttributedToTheRightPart() {
        ChunkCodec plain = codec(CompressionCodec.NONE, false);
        byte[] frame = plain.encode(TestData.random(1000, 15));
        assertCorrupt(() -> plain.decode(flip(frame, 13), KEY), Reason.HEADER_CHECKSUM); // plaintext length
        assertCorrupt(() -> plain.decode(flip(frame, ChunkFrame.HEADER_LENGTH + 500), KEY), Reason.PLAINTEXT_CHECKSUM);

        ChunkCodec enc = codec(CompressionCodec.NONE, true);
        byte[] encrypted = enc.encode(TestData.random(1000, 16));
        assertCorrupt(() -> enc.decode(flip(encrypted, ChunkFrame.HEADER_LENGTH + 10), KEY), Reason.AUTHENTICATION);
        assertCorrupt(() -> enc.decode(flip(encrypted, encrypted.length - 1), KEY), Reason.AUTHENTICATION); // tag
        assertCorrupt(() -> enc.decode(flip(encrypted, ChunkFrame.NONCE_OFFSET), KEY), Reason.HEADER_CHECKSUM);
        // Even with the header checksum recomputed, an altered header field fails authentication.
        byte[] renonced = flip(encrypted, ChunkFrame.NONCE_OFFSET + 3);
        reseal(renonced);
        assertCorrupt(() -> enc.decode(renonced, KEY), Reason.AUTHENTICATION);
    }

    @ParameterizedTest(name = "{0} encrypt={1}")
    @MethodSource("combinations")
    void everyTruncationIsDetected(CompressionCodec compression, boolean encrypt) {
        ChunkCodec codec = codec(compression, encrypt);
        byte[] frame = codec.encode(TestData.compressible(5000, 17));
        for (int len = 0; len < frame.length; len++) {
            byte[] cut = Arrays.copyOf(frame, len);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> codec.decode(cut, KEY)))
                    .as("truncated to %d of %d", len, frame.length)
                    .isInstanceOfSatisfying(CorruptChunkException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
                        assertThat(e.getMessage()).contains(KEY);
                    });
        }
    }

    @Test
    void trailingBytesAreRejected() {
        ChunkCodec codec = codec(CompressionCodec.NONE, false);
        byte[] frame = codec.encode(TestData.random(100, 18));
        assertCorrupt(() -> codec.decode(Arrays.copyOf(frame, frame.length + 1), KEY), Reason.MALFORMED_HEADER);
    }

    @Test
    void foreignObjectsAndUnknownFormatsAreNamed() {
        ChunkCodec codec = codec(CompressionCodec.ZSTD, true);
        assertCorrupt(() -> codec.decode("<html>not found</html>".getBytes(), KEY), Reason.BAD_MAGIC);

        byte[] frame = codec(CompressionCodec.NONE, false).encode(TestData.random(100, 19));
        byte[] v2 = frame.clone();
        v2[4] = 2;
        reseal(v2);
        assertCorrupt(() -> codec.decode(v2, KEY), Reason.UNSUPPORTED_VERSION);

        byte[] compression9 = frame.clone();
        compression9[5] = 9;
        reseal(compression9);
        assertCorrupt(() -> codec.decode(compression9, KEY), Reason.UNKNOWN_CODEC);

        byte[] encryption7 = frame.clone();
        encryption7[6] = 7;
        reseal(encryption7);
        assertCorrupt(() -> codec.decode(encryption7, KEY), Reason.UNKNOWN_CODEC);

        byte[] flags = frame.clone();
        flags[7] = 1;
        reseal(flags);
        assertCorrupt(() -> codec.decode(flags, KEY), Reason.MALFORMED_HEADER);
    }

    @Test
    void hostilePlaintextLengthIsRefusedBeforeAllocating() {
        ChunkCodec small = new ChunkCodec(ChunkCodec.Settings.DEFAULT.withMaxChunkSize(1 << 20), null);
        byte[] frame = codec(CompressionCodec.ZSTD, false).encode(TestData.compressible(100_000, 20));
        ByteBuffer.wrap(frame).putInt(12, Integer.MAX_VALUE);
        reseal(frame);
        assertCorrupt(() -> small.decode(frame, KEY), Reason.TOO_LARGE);
        assertThatThrownBy(() -> small.encode(new byte[(1 << 20) + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum chunk size");
    }

    @Test
    void zstdPayloadThatDecompressesToAnotherLengthIsRejected() {
        ChunkCodec codec = codec(CompressionCodec.ZSTD, false);
        byte[] frame = codec.encode(TestData.compressible(10_000, 21));
        ByteBuffer.wrap(frame).putInt(12, 9_999);
        reseal(frame);
        assertCorrupt(() -> codec.decode(frame, KEY), Reason.DECOMPRESSION);
    }

    @Test
    void settingsRejectNonsense() {
        assertThatThrownBy(() -> ChunkCodec.Settings.DEFAULT.withMinSaving(1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("saving");
        assertThatThrownBy(() -> new ChunkCodec(ChunkCodec.Settings.DEFAULT.withEncryption(true), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no key ring");
    }

    static void assertCorrupt(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(CorruptChunkException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(KEY);
        });
    }

    static byte[] flip(byte[] frame, int byteIndex) {
        byte[] copy = frame.clone();
        copy[byteIndex] ^= 0x10;
        return copy;
    }

    /** Recomputes the header checksum after a deliberate header edit. */
    static void reseal(byte[] frame) {
        ByteBuffer.wrap(frame).putInt(ChunkFrame.HEADER_CRC_OFFSET,
                ChunkFrame.crc32c(frame, 0, ChunkFrame.HEADER_CRC_OFFSET));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
