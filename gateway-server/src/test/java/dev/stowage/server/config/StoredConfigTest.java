package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code type: stored} LUNs: what loads, and the one-line errors operators see. */
class StoredConfigTest {

    @TempDir
    Path dir;

    private static final String S3 = """
            s3:
              endpoint: https://s3.example.com:9000
              bucket: backups
              credentials: {access_key_id: AKIAEXAMPLE, secret_access_key: wJalrXUtnFEMIexampleSECRETkey}
            """;
    private static final String K = "config error: iscsi.targets[0].luns[0].";

    private static String storedLun(String lunLines) {
        return """
                iscsi:
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:vol1
                      luns:
                        - lun: 0
                """ + lunLines.lines().map(l -> "          " + l + "\n").collect(java.util.stream.Collectors.joining());
    }

    private static String withCache(String lunLines) {
        return S3 + "cache:\n  size: 1GiB\n" + storedLun(lunLines);
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
    void storedLunLoads() throws IOException {
        GatewayConfig c = load(withCache("type: stored\nvolume: vol1\npath: vol1.img\nsize: 10GiB"));
        IscsiSettings.Lun lun = c.iscsi().targets().get(0).luns().get(0);
        assertThat(lun.type()).isEqualTo(IscsiSettings.LunType.STORED);
        assertThat(lun.volume()).isEqualTo("vol1");
        assertThat(lun.path()).isEqualTo(dir.resolve("data/vol1.img"));
        assertThat(lun.sizeBytes()).isEqualTo(10L << 30);
        assertThat(lun.create()).isTrue();
        assertThat(lun.preserveExistingData()).isFalse();

        Path existing = dir.resolve("existing.img");
        try (RandomAccessFile f = new RandomAccessFile(existing.toFile(), "rw")) {
            f.setLength(4 << 20);
        }
        IscsiSettings.Lun kept = load(withCache("type: stored\nvolume: old\npath: " + existing
                + "\npreserve_existing_data: true")).iscsi().targets().get(0).luns().get(0);
        assertThat(kept.sizeBytes()).isEqualTo(4 << 20);
        assertThat(kept.preserveExistingData()).isTrue();
        assertThat(kept.create()).isFalse();
        assertThat(kept.snapshotSchedule()).isNull();

        IscsiSettings.Lun scheduled = load(withCache("type: stored\nvolume: s\npath: s.img\nsize: 1GiB\n"
                + "snapshot_schedule: {every: 8h, at: \"01:00\", retain: 3}")).iscsi().targets().get(0).luns().get(0);
        assertThat(scheduled.snapshotSchedule().everyHours()).isEqualTo(8);
        assertThat(scheduled.snapshotSchedule().retain()).isEqualTo(3);
    }

    @Test
    void badStoredLuns() throws IOException {
        error(withCache("type: stored\nvolume: vol1\nsize: 1GiB"))
                .hasMessageStartingWith(K + "path: is missing for type: stored; write the path of the volume's data file");
        error(withCache("type: stored\npath: a.img\nsize: 1GiB"))
                .hasMessageStartingWith(K + "volume: is missing for type: stored");
        error(S3 + storedLun("type: stored\nvolume: vol1\npath: a.img\nsize: 1GiB"))
                .hasMessageStartingWith(K + "type: type: stored needs a cache section");
        error(withCache("type: stored\nvolume: vol1\npath: a.img"))
                .hasMessageStartingWith(K + "size: is missing, and " + dir.resolve("data/a.img") + " does not exist yet");
        error(withCache("type: file\npath: a.img\nsize: 1GiB\npreserve_existing_data: true"))
                .hasMessageStartingWith(K + "preserve_existing_data: is only used with type: stored");
        error(withCache("type: stored\nvolume: vol1\npath: a.img\nsize: 1GiB\nread_only: true"))
                .hasMessageStartingWith(K + "read_only: is not supported for type: stored");

        error(withCache("type: stored\nvolume: vol1\npath: a.img\nsize: 1GiB\nsnapshot_schedule: {every: 5h}"))
                .hasMessageStartingWith(K + "snapshot_schedule.every: '5h'");
        error(withCache("type: file\npath: a.img\nsize: 1GiB\nsnapshot_schedule: {every: 4h}"))
                .hasMessageStartingWith(K + "snapshot_schedule: is only used with volumes");

        Path img = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        error(withCache("type: stored\nvolume: vol1\npath: " + img + "\nsize: 2MiB\npreserve_existing_data: true"))
                .hasMessageStartingWith(K + "size: '2MiB' (2097152 bytes) does not match the existing file " + img
                        + ", which is 1048576 bytes");
        error(withCache("type: stored\nvolume: vol1\npath: " + img))
                .hasMessage(K + "preserve_existing_data: " + img + " already exists and is not stored volume vol1 yet; "
                        + "set preserve_existing_data: true to keep its data (the first snapshot uploads all of it), "
                        + "or remove the file to start from zeros");
        error(S3 + "cache:\n  size: 1GiB\n" + """
                iscsi:
                  targets:
                    - iqn: iqn.2026-11.dev.stowage:a
                      luns:
                        - {lun: 0, type: cached, volume: v, size: 1GiB}
                        - {lun: 1, type: stored, volume: v, path: v.img, size: 1GiB}
                """).hasMessageStartingWith("config error: iscsi.targets[0].luns[1].volume: volume v is already exported by "
                + "iscsi.targets[0].luns[0]");
    }
}
