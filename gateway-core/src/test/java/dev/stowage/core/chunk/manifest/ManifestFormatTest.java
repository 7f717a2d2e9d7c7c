package dev.stowage.core.chunk.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.TestData;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ManifestFormatTest {

    private static final ChunkId SOURCE = TestData.hasher().idOf(new byte[] {9});
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    private static ChunkId id(int n) {
        return TestData.hasher().idOf(new byte[] {(byte) n, (byte) (n >> 8), 1});
    }

    @Test
    void pagesRoundTrip() {
        TreeMap<Integer, ChunkId> entries = new TreeMap<>();
        entries.put(0, id(0));
        entries.put(7, id(7));
        entries.put(1023, id(1023));
        ManifestPage page = ManifestPage.of(2, 3L << 30, 1024, entries);
        ManifestPage back = ManifestPage.decode(page.encode(), SOURCE);
        assertThat(back.level()).isEqualTo(2);
        assertThat(back.firstIndex()).isEqualTo(3L << 30);
        assertThat(back.fanOut()).isEqualTo(1024);
        assertThat(back.entries()).isEqualTo(entries);
        assertThat(back.get(7)).isEqualTo(id(7));
        assertThat(back.get(8)).isNull();
        assertThat(page.encode()).hasSize(24 + 3 * 36 + 4);
    }

    @Test
    void damagedOrForeignPagesAreRejectedWithTheChunkId() {
        TreeMap<Integer, ChunkId> entries = new TreeMap<>();
        entries.put(1, id(1));
        entries.put(2, id(2));
        byte[] good = ManifestPage.of(0, 0, 16, entries).encode();

        byte[] flipped = good.clone();
        flipped[30] ^= 1;
        assertThatThrownBy(() -> ManifestPage.decode(flipped, SOURCE))
                .isInstanceOf(CorruptManifestException.class).hasMessageContaining(SOURCE.hex())
                .hasMessageContaining("checksum");

        byte[] unordered = good.clone(); // swap the two slot numbers, then fix the checksum
        ByteBuffer.wrap(unordered).putInt(24, 2).putInt(24 + 36, 1);
        reseal(unordered);
        assertThatThrownBy(() -> ManifestPage.decode(unordered, SOURCE)).hasMessageContaining("out of order");

        byte[] v2 = good.clone();
        v2[4] = 2;
        reseal(v2);
        assertThatThrownBy(() -> ManifestPage.decode(v2, SOURCE)).hasMessageContaining("version 2");

        assertThatThrownBy(() -> ManifestPage.decode("STWC data chunk".getBytes(), SOURCE))
                .hasMessageContaining("not a manifest page");
    }

    @Test
    void rootsRoundTripWithAndWithoutAPage() {
        VolumeManifest empty = VolumeManifest.empty("vol-0001 café", 10L << 40, 4 << 20, 1024, T0);
        assertThat(VolumeManifest.decode(empty.encode(), SOURCE)).isEqualTo(empty);
        assertThat(empty.rootPage()).isNull();
        assertThat(empty.chunkCount()).isEqualTo(10L << 40 >> 22);
        assertThat(empty.depth()).isEqualTo(3); // 2.6M chunks: 1024^2 < n <= 1024^3

        VolumeManifest withRoot = empty.successor(empty.volumeSize(), id(5), T0.plusSeconds(1));
        VolumeManifest back = VolumeManifest.decode(withRoot.encode(), SOURCE);
        assertThat(back).isEqualTo(withRoot);
        assertThat(back.generation()).isEqualTo(1);
        assertThat(back.rootPage()).isEqualTo(id(5));
        assertThat(back.created()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void damagedRootsAreRejected() {
        byte[] good = VolumeManifest.empty("v", 1 << 20, 4096, 4, T0).encode();
        byte[] flipped = good.clone();
        flipped[10] ^= 1;
        assertThatThrownBy(() -> VolumeManifest.decode(flipped, SOURCE))
                .isInstanceOf(CorruptManifestException.class).hasMessageContaining("checksum");
        byte[] wrongDepth = good.clone();
        wrongDepth[5] = 9;
        reseal(wrongDepth);
        assertThatThrownBy(() -> VolumeManifest.decode(wrongDepth, SOURCE)).hasMessageContaining("depth 9");
        byte[] badChunkSize = good.clone();
        ByteBuffer.wrap(badChunkSize).putInt(16, 1000);
        reseal(badChunkSize);
        assertThatThrownBy(() -> VolumeManifest.decode(badChunkSize, SOURCE)).hasMessageContaining("chunk size");
    }

    @Test
    void depthGrowsWithTheChunkCount() {
        assertThat(VolumeManifest.depthFor(1, 4)).isEqualTo(1);
        assertThat(VolumeManifest.depthFor(4, 4)).isEqualTo(1);
        assertThat(VolumeManifest.depthFor(5, 4)).isEqualTo(2);
        assertThat(VolumeManifest.depthFor(16, 4)).isEqualTo(2);
        assertThat(VolumeManifest.depthFor(17, 4)).isEqualTo(3);
        assertThat(VolumeManifest.depthFor(Long.MAX_VALUE, 1024)).isEqualTo(7);
    }

    @Test
    void nonsenseGeometryIsRefused() {
        assertThatThrownBy(() -> VolumeManifest.empty("v", 0, 4096, 4, T0)).hasMessageContaining("volume size");
        assertThatThrownBy(() -> VolumeManifest.empty("v", 1, 100, 4, T0)).hasMessageContaining("chunk size");
        assertThatThrownBy(() -> VolumeManifest.empty("v", 1, 4096, 1, T0)).hasMessageContaining("fan-out");
        assertThatThrownBy(() -> VolumeManifest.empty("", 1, 4096, 4, T0)).hasMessageContaining("volume id");
    }

    private static void reseal(byte[] data) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(data, 0, data.length - 4);
        ByteBuffer.wrap(data).putInt(data.length - 4, (int) c.getValue());
    }
}
