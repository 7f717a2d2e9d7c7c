package dev.stowage.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkIdTest {

    @Test
    void objectKeyFansOutOnTheFirstTwoHexDigits() {
        ChunkId id = ChunkId.parse("ab" + "0".repeat(61) + "f");
        assertThat(id.objectKey()).isEqualTo("chunks/ab/ab" + "0".repeat(61) + "f");
        assertThat(ChunkId.fromObjectKey(id.objectKey())).isEqualTo(id);
        assertThat(ChunkId.parse(id.hex().toUpperCase())).isEqualTo(id);
    }

    @Test
    void malformedIdsAndKeysAreRejectedWithTheReason() {
        assertThatThrownBy(() -> ChunkId.parse("abc")).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> ChunkId.parse("zz" + "0".repeat(62))).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> ChunkId.of(new byte[31])).hasMessageContaining("32 bytes");
        String hex = "cd" + "1".repeat(62);
        assertThatThrownBy(() -> ChunkId.fromObjectKey("chunks/ab/" + hex)).hasMessageContaining("canonical");
        assertThatThrownBy(() -> ChunkId.fromObjectKey("volumes/cd/" + hex)).hasMessageContaining("not a chunk");
        assertThatThrownBy(() -> ChunkId.fromObjectKey("chunks/CD/" + hex.toUpperCase()))
                .hasMessageContaining("canonical");
    }

    @Test
    void hasherIsKeyedDeterministicAndSpreadsOverAllFanOutPrefixes() {
        ChunkHasher a = new ChunkHasher(TestData.key(1));
        ChunkHasher b = new ChunkHasher(TestData.key(2));
        byte[] data = TestData.random(1000, 1);
        assertThat(a.idOf(data)).isEqualTo(a.idOf(data.clone()));
        assertThat(a.idOf(data)).isNotEqualTo(b.idOf(data));
        assertThat(a.idOf(new byte[0])).isNotEqualTo(a.idOf(new byte[1]));
        assertThat(a.idOf(data, 10, 20)).isEqualTo(a.idOf(java.util.Arrays.copyOfRange(data, 10, 30)));

        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 4000; i++) {
            prefixes.add(a.idOf(new byte[] {(byte) i, (byte) (i >> 8)}).objectKey().substring(7, 9));
        }
        assertThat(prefixes).hasSize(256);
    }

    /** Ids name chunks in buckets forever: pin them to HMAC-SHA-256 values computed independently. */
    @Test
    void idsAreHmacSha256OfThePlaintext() {
        byte[] secret = new byte[32];
        for (int i = 0; i < 32; i++) {
            secret[i] = (byte) i;
        }
        ChunkHasher hasher = new ChunkHasher(secret);
        assertThat(hasher.idOf("stowage".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).hex())
                .isEqualTo("c6cf5fef9346dec4eb6dcbb77ba77b6508d20450de24bf485a70141f96bfdb29");
        assertThat(hasher.idOf(new byte[0]).hex())
                .isEqualTo("d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb");
    }

    @Test
    void hasherNeverShowsItsSecret() {
        byte[] secret = TestData.key(3);
        String hex = java.util.HexFormat.of().formatHex(secret);
        assertThat(new ChunkHasher(secret).toString()).doesNotContain(hex).contains("hidden");
        assertThatThrownBy(() -> new ChunkHasher(new byte[16])).hasMessageContaining("32 bytes");
    }
}
