package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cache} section and {@code type: cached} LUNs: what loads, and the one-line errors operators see. */
class CacheConfigTest {

    @TempDir
    Path dir;

    private static final String S3 = """
            s3:
              endpoint: https://s3.example.com:9000
              bucket: backups
              credentials: {access_key_id: AKIAEXAMPLE, secret_access_key: wJalrXUtnFEMIexampleSECRETkey}
            """;

    private static String cachedLun(String lunLines) {
        return """
                iscsi:
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:vol1
                      luns:
                        - lun: 0
                """ + lunLines.lines().map(l -> "          " + l + "\n").collect(java.util.stream.Collectors.joining());
    }

    private GatewayConfig load(String yaml) throws IOException {
        Path f = Files.writeString(dir.resolve("stowage.yaml"), yaml, StandardCharsets.UTF_8);
        return ConfigLoader.fromFile(f, Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString()));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> error(String yaml) {
        return assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("config error: ").doesNotContain("\n"));
    }

    @Test
    void defaultsAndCachedLunLoad() throws IOException {
        GatewayConfig c = load(S3 + "cache:\n  size: 4GiB\n" + cachedLun("type: cached\nvolume: vol1\nsize: 100GiB"));
        CacheConfig cache = c.cache();
        assertThat(cache.dir()).isEqualTo(dir.resolve("data").resolve("cache"));
        assertThat(cache.chunkSize()).isEqualTo(1 << 20);
        assertThat(cache.slotCount()).isEqualTo(4096);
        assertThat(cache.settleDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(cache.uploadParallelism()).isEqualTo(4);
        assertThat(cache.chunkIdKeyFile()).isEqualTo(dir.resolve("data").resolve("keys").resolve("chunk-id.key"));
        assertThat(cache.encryptionKeyFile()).isNull();
        IscsiSettings.Lun lun = c.iscsi().targets().getFirst().luns().getFirst();
        assertThat(lun.type()).isEqualTo(IscsiSettings.LunType.CACHED);
        assertThat(lun.volume()).isEqualTo("vol1");
        assertThat(lun.sizeBytes()).isEqualTo(100L << 30);
        assertThat(lun.path()).isNull();
    }

    @Test
    void everyKeyIsRead() throws IOException {
        GatewayConfig c = load(S3 + """
                cache:
                  dir: /var/cache/stowage
                  size: 64MiB
                  chunk_size: 256KiB
                  settle_delay: 500ms
                  upload_parallelism: 16
                  encryption: {key_file: keys/aes.keys}
                """);
        CacheConfig cache = c.cache();
        assertThat(cache.dir()).isEqualTo(Path.of("/var/cache/stowage"));
        assertThat(cache.chunkSize()).isEqualTo(256 << 10);
        assertThat(cache.slotCount()).isEqualTo(256);
        assertThat(cache.settleDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(cache.uploadParallelism()).isEqualTo(16);
        assertThat(cache.encryptionKeyFile()).isEqualTo(dir.resolve("data").resolve("keys/aes.keys"));
        assertThat(c.iscsi()).isNull();
    }

    @Test
    void badCacheKeysAreNamed() {
        error(S3 + "cache:\n  dir: /tmp\n").hasMessageStartingWith("config error: cache.size: is missing");
        error(S3 + "cache:\n  size: lots\n").hasMessageStartingWith("config error: cache.size: ");
        error(S3 + "cache:\n  size: 1MiB\n").hasMessageStartingWith("config error: cache.size: '1MiB' is not a whole number (at least 2)");
        error(S3 + "cache:\n  size: 1GiB\n  chunk_size: 100KiB\n")
                .hasMessageStartingWith("config error: cache.chunk_size: '100KiB' is not a power of two from 64KiB to 64MiB");
        error(S3 + "cache:\n  size: 1GiB\n  chunk_size: 128MiB\n").hasMessageStartingWith("config error: cache.chunk_size: ");
        error(S3 + "cache:\n  size: 1GiB\n  settle_delay: soon\n").hasMessageStartingWith("config error: cache.settle_delay: 'soon' is not a duration");
        error(S3 + "cache:\n  size: 1GiB\n  upload_parallelism: 0\n").hasMessageStartingWith("config error: cache.upload_parallelism: 0 is out of range");
        error(S3 + "cache:\n  size: 1GiB\n  encryption: {}\n").hasMessageStartingWith("config error: cache.encryption.key_file: is missing");
        error(S3 + "cache:\n  size: 1GiB\n  encryption: {key_file: /tmp}\n")
                .hasMessageStartingWith("config error: cache.encryption.key_file: /tmp is a directory");
        error(S3 + "cache:\n  size: 1GiB\n  compression: zstd\n").hasMessageContaining("cache.compression");
    }

    @Test
    void cacheDirMustBeADirectory() throws IOException {
        Files.writeString(dir.resolve("afile"), "x");
        error(S3 + "cache:\n  size: 1GiB\n  dir: " + dir.resolve("afile") + "\n")
                .hasMessageStartingWith("config error: cache.dir: '" + dir.resolve("afile") + "' exists and is not a directory");
    }

    @Test
    void badCachedLunsAreNamed() {
        String cache = "cache:\n  size: 1GiB\n";
        String k = "config error: iscsi.targets[0].luns[0].";
        error(S3 + cachedLun("type: cached\nvolume: v\nsize: 1GiB"))
                .hasMessageStartingWith(k + "type: type: cached needs a cache section; add one, e.g. cache: {size: 4GiB}");
        error(S3 + cache + cachedLun("type: cached\nsize: 1GiB")).hasMessageStartingWith(k + "volume: is missing for type: cached");
        error(S3 + cache + cachedLun("type: cached\nvolume: vol1")).hasMessageStartingWith(k + "size: is missing for type: cached");
        error(S3 + cache + cachedLun("type: cached\nvolume: -bad/id\nsize: 1GiB"))
                .hasMessageStartingWith(k + "volume: '-bad/id' is not a volume id");
        error(S3 + cache + cachedLun("type: cached\nvolume: v\npath: x.img\nsize: 1GiB"))
                .hasMessageStartingWith(k + "path: is not used with type: cached");
        error(S3 + cache + cachedLun("type: cached\nvolume: v\nsize: 1GiB\nread_only: true"))
                .hasMessageStartingWith(k + "read_only: is not supported for type: cached");
        error(S3 + cache + cachedLun("type: memory\nvolume: v\nsize: 1GiB"))
                .hasMessageStartingWith(k + "volume: is only used with type: cached or stored");
        error(S3 + cache + cachedLun("type: disk\nsize: 1GiB"))
                .hasMessageStartingWith(k + "type: 'disk' is not a LUN type; write file, memory, cached or stored");
        error(S3 + cache + cachedLun("type: cached\nvolume: v\nsize: 1GiB") + "        - {lun: 1, type: cached, volume: v, size: 1GiB}\n")
                .hasMessageStartingWith("config error: iscsi.targets[0].luns[1].volume: volume v is already exported by iscsi.targets[0].luns[0]");
    }

    @Test
    void environmentOverridesCacheKeys() throws IOException {
        Path f = Files.writeString(dir.resolve("stowage.yaml"), S3 + "cache:\n  size: 1GiB\n", StandardCharsets.UTF_8);
        GatewayConfig c = ConfigLoader.fromFile(f, Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString(),
                "STOWAGE_CACHE_SIZE", "2GiB"));
        assertThat(c.cache().sizeBytes()).isEqualTo(2L << 30);
        assertThatThrownBy(() -> ConfigLoader.fromFile(f, Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString(),
                "STOWAGE_CACHE_UPLOAD_PARALLELISM", "999")))
                .hasMessageStartingWith("config error: cache.upload_parallelism (from STOWAGE_CACHE_UPLOAD_PARALLELISM): 999 is out of range");
    }
}
