package dev.stowage.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

    @TempDir
    Path dir;

    private static String hex(int seed) {
        return HexFormat.of().formatHex(TestData.key(seed));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void chunkIdSecretLoadsFromAKeyFile() throws IOException {
        Path file = write("chunk-id.key", "# chunk-id secret, never change\n\n" + hex(1) + "\n");
        byte[] data = TestData.random(100, 2);
        assertThat(ChunkHasher.fromKeyFile(file).idOf(data)).isEqualTo(new ChunkHasher(TestData.key(1)).idOf(data));
    }

    @Test
    void badChunkIdKeyFilesSayWhatToFixWithoutEchoingTheKey() throws IOException {
        String shortKey = hex(1).substring(0, 40);
        assertThatThrownBy(() -> ChunkHasher.fromKeyFile(write("short.key", shortKey + "\n")))
                .hasMessageContaining("line 1").hasMessageContaining("64").hasMessageNotContaining(shortKey);
        String notHex = "g" + hex(1).substring(1);
        assertThatThrownBy(() -> ChunkHasher.fromKeyFile(write("nothex.key", notHex)))
                .hasMessageContaining("hex digits").hasMessageNotContaining(notHex);
        assertThatThrownBy(() -> ChunkHasher.fromKeyFile(write("two.key", hex(1) + "\n" + hex(2))))
                .hasMessageContaining("exactly one line");
        assertThatThrownBy(() -> ChunkHasher.fromKeyFile(dir.resolve("missing.key")))
                .hasMessageContaining("cannot read key file").hasMessageContaining("missing.key");
    }

    @Test
    void keyRingLoadsCurrentAndOlderKeys() throws IOException {
        Path file = write("chunks.keys", "# rotated 2026-01\ncurrent = 2\nkey.1=" + hex(1) + "\nkey.2 = " + hex(2) + "\n");
        KeyRing ring = KeyRing.load(file);
        assertThat(ring.currentKeyId()).isEqualTo(2);
        assertThat(ring.keyIds()).containsExactly(1, 2);
        assertThat(ring.toString()).doesNotContain(hex(1)).doesNotContain(hex(2));

        // Frames written under the ring built in code are readable with the loaded one, and vice versa.
        ChunkCodec.Settings enc = ChunkCodec.Settings.DEFAULT.withEncryption(true);
        byte[] plaintext = TestData.random(500, 3);
        byte[] frame = new ChunkCodec(enc, KeyRing.single(1, TestData.key(1))).encode(plaintext);
        assertThat(new ChunkCodec(enc, ring).decode(frame, "k")).isEqualTo(plaintext);
    }

    @Test
    void singleKeyNeedsNoCurrentLine() throws IOException {
        assertThat(KeyRing.load(write("one.keys", "key.7=" + hex(7))).currentKeyId()).isEqualTo(7);
    }

    @Test
    void badKeyRingFilesSayWhatToFix() throws IOException {
        assertThatThrownBy(() -> KeyRing.load(write("a", "key.1=" + hex(1) + "\nkey.2=" + hex(2))))
                .hasMessageContaining("no current=<id> line");
        assertThatThrownBy(() -> KeyRing.load(write("b", "current=3\nkey.1=" + hex(1))))
                .hasMessageContaining("no key.3 line");
        assertThatThrownBy(() -> KeyRing.load(write("c", "key.0=" + hex(1))))
                .hasMessageContaining("line 1").hasMessageContaining("key id");
        assertThatThrownBy(() -> KeyRing.load(write("d", "key.1=" + hex(1) + "\nkey.1=" + hex(2))))
                .hasMessageContaining("line 2").hasMessageContaining("twice");
        assertThatThrownBy(() -> KeyRing.load(write("e", "secret=" + hex(1))))
                .hasMessageContaining("unknown entry 'secret'").hasMessageNotContaining(hex(1));
        assertThatThrownBy(() -> KeyRing.load(write("f", "# nothing\n")))
                .hasMessageContaining("no key.<id>");
        assertThatThrownBy(() -> KeyRing.load(write("g", hex(1))))
                .hasMessageContaining("expected current=<id> or key.<id>").hasMessageNotContaining(hex(1));
    }
}
