package dev.stowage.server.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.cache.CachedVolume;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.server.config.CacheConfig;
import dev.stowage.server.config.IscsiSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CacheService} over an in-memory bucket: volume creation, size checks, keys and encryption. */
class CacheServiceTest {

    @TempDir
    Path dataDir;

    private final InMemoryObjectStore bucket = new InMemoryObjectStore();

    private CacheConfig config(Path encryptionKeyFile) {
        return new CacheConfig(dataDir.resolve("cache"), 64 * 1024, 64, Duration.ZERO, 2, dataDir.resolve("keys"),
                encryptionKeyFile);
    }

    private static IscsiSettings.Lun lun(String volume, long size) {
        return new IscsiSettings.Lun(0, IscsiSettings.LunType.CACHED, null, size, 512, false, false, volume);
    }

    private CacheService started(CacheConfig c, IscsiSettings.Lun... luns) throws IOException {
        CacheService s = new CacheService(c, bucket, List.of(luns));
        s.start();
        return s;
    }

    /** Random, so incompressible: without encryption the chunk object would hold these bytes as they are. */
    private static byte[] pattern() {
        byte[] b = new byte[64 * 1024];
        new java.util.Random(11).nextBytes(b);
        return b;
    }

    private static byte[] read(CachedVolume v, long lba, int bytes) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(bytes);
        v.read(lba, dst);
        return dst.array();
    }

    @Test
    void sizeMismatchWithTheBucketIsOneLineNamingBothSizes() throws Exception {
        CacheService s = started(config(null), lun("vol1", 1 << 20));
        assertThat(s.volume("vol1").blockCount()).isEqualTo((1 << 20) / 512);
        s.stop();
        CacheService again = new CacheService(config(null), bucket, List.of(lun("vol1", 2 << 20)));
        assertThatThrownBy(again::start).isInstanceOf(IOException.class)
                .hasMessage("cached volume vol1 is 1048576 bytes in the bucket, but the configuration says 2097152; "
                        + "set its LUN's size to 1048576 (volumes are never grown or cut)");
        assertThat(again.pool()).isNull();
        // the cache directory was released: the right size opens
        started(config(null), lun("vol1", 1 << 20)).stop();
    }

    @Test
    void lostChunkIdKeyWithVolumesInTheBucketIsRefusedAndNotRegenerated() throws Exception {
        started(config(null), lun("vol1", 1 << 20)).stop();
        Path key = dataDir.resolve("keys/chunk-id.key");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Files.delete(key);
        CacheService s = new CacheService(config(null), bucket, List.of(lun("vol1", 1 << 20)));
        assertThatThrownBy(s::start).isInstanceOf(IOException.class)
                .hasMessage("the chunk-id key file " + key + " is missing, but the bucket already holds volumes: "
                        + "their data cannot be addressed without it; restore the file from your backup");
        assertThat(key).doesNotExist();
    }

    @Test
    void encryptedChunksHoldNoPlaintextAndReadBackWithTheSameKeys() throws Exception {
        Path keys = dataDir.resolve("keys/chunks.keys");
        byte[] data = pattern();
        CacheService s = started(config(keys), lun("vol1", 1 << 20));
        CachedVolume v = s.volume("vol1");
        v.write(128, ByteBuffer.wrap(data), false);
        v.flush();
        assertThat(s.pool().drain(Duration.ofMinutes(1))).isTrue();
        s.stop();
        assertThat(Files.getPosixFilePermissions(keys)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        byte[] needle = Arrays.copyOf(data, 36);
        int chunks = 0;
        for (ObjectInfo o : bucket.listAll("chunks/")) {
            chunks++;
            byte[] body = bucket.get(o.key());
            assertThat(indexOf(body, needle)).as("plaintext in %s", o.key()).isEqualTo(-1);
        }
        assertThat(chunks).isPositive();

        deleteTree(dataDir.resolve("cache"));
        CacheService fresh = started(config(keys), lun("vol1", 1 << 20));
        assertThat(read(fresh.volume("vol1"), 128, data.length)).isEqualTo(data);
        assertThat(read(fresh.volume("vol1"), 0, 4096)).containsOnly(0);
        fresh.stop();

        Files.delete(keys);
        deleteTree(dataDir.resolve("cache"));
        CacheService noKey = new CacheService(config(keys), bucket, List.of(lun("vol1", 1 << 20)));
        assertThatThrownBy(noKey::start).isInstanceOf(IOException.class)
                .hasMessageContaining("the encryption key file " + keys + " is missing");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
