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

    @Test
    void generatedKeyFilesAreOwnerOnlyAndNeverOverwritten() throws IOException {
        Path idFile = dir.resolve("chunk-id.key");
        ChunkHasher generated = ChunkHasher.generateKeyFile(idFile);
        byte[] data = TestData.random(100, 4);
        assertThat(ChunkHasher.fromKeyFile(idFile).idOf(data)).isEqualTo(generated.idOf(data));
        if (Files.getFileStore(idFile).supportsFileAttributeView("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(idFile)))
                    .isEqualTo("rw-------");
        }
        String before = Files.readString(idFile);
        assertThatThrownBy(() -> ChunkHasher.generateKeyFile(idFile)).hasMessageContaining("already exists");
        assertThat(Files.readString(idFile)).isEqualTo(before);
        assertThat(new ChunkHasher(TestData.key(1)).idOf(data)).isNotEqualTo(generated.idOf(data));

        Path ringFile = dir.resolve("chunks.keys");
        KeyRing ring = KeyRing.generateKeyFile(ringFile);
        assertThat(ring.currentKeyId()).isEqualTo(1);
        assertThatThrownBy(() -> KeyRing.generateKeyFile(ringFile)).hasMessageContaining("already exists");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("chunk-id.key",
                    "chunks.keys");
        }
    }

    @Test
    void rotationAddsANewCurrentKeyAndOldChunksStayReadable() throws IOException {
        Path ringFile = dir.resolve("chunks.keys");
        KeyRing first = KeyRing.generateKeyFile(ringFile);
        Files.writeString(ringFile, "# site note: backed up nightly\n" + Files.readString(ringFile));
        ChunkCodec.Settings enc = ChunkCodec.Settings.DEFAULT.withEncryption(true);
        byte[] plaintext = TestData.random(700, 5);
        byte[] oldFrame = new ChunkCodec(enc, first).encode(plaintext);

        KeyRing second = KeyRing.rotateKeyFile(ringFile);
        KeyRing third = KeyRing.rotateKeyFile(ringFile);
        assertThat(second.currentKeyId()).isEqualTo(2);
        assertThat(third.currentKeyId()).isEqualTo(3);
        KeyRing reloaded = KeyRing.load(ringFile);
        assertThat(reloaded.keyIds()).containsExactly(1, 2, 3);
        assertThat(reloaded.currentKeyId()).isEqualTo(3);
        assertThat(Files.readString(ringFile)).contains("# site note: backed up nightly");

        ChunkCodec after = new ChunkCodec(enc, reloaded);
        assertThat(after.decode(oldFrame, "k")).isEqualTo(plaintext);
        byte[] newFrame = after.encode(plaintext);
        assertThat(java.nio.ByteBuffer.wrap(newFrame).getInt(8)).isEqualTo(3);
        // The keys really differ: key 3 alone cannot read the chunk written with key 1.
        ChunkCodec onlyNewest = new ChunkCodec(enc, KeyRing.single(3, keyMaterial(ringFile, 3)));
        assertThat(onlyNewest.decode(newFrame, "k")).isEqualTo(plaintext);
        ChunkCodec key1Renamed = new ChunkCodec(enc, KeyRing.single(1, keyMaterial(ringFile, 3)));
        assertThatThrownBy(() -> key1Renamed.decode(oldFrame, "k")).isInstanceOf(CorruptChunkException.class);
    }

    private static byte[] keyMaterial(Path ringFile, int id) throws IOException {
        for (String line : Files.readAllLines(ringFile)) {
            if (line.startsWith("key." + id + "=")) {
                return HexFormat.of().parseHex(line.substring(line.indexOf('=') + 1).strip());
            }
        }
        throw new AssertionError("no key." + id);
    }
}
