package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code snapshot_schedule} on a volume's LUN: what loads, the defaults, and the one-line errors. */
class SnapshotScheduleConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String schedule) throws IOException {
        return load(schedule, "cached", "volume: vol1,");
    }

    private GatewayConfig load(String schedule, String type, String volume) throws IOException {
        String yaml = """
                s3: {endpoint: https://s3.example.com:9000, bucket: backups,
                     credentials: {access_key_id: AKIAEXAMPLE, secret_access_key: wJalrXUtnFEMIexampleSECRETkey}}
                iscsi:
                  targets:
                    - iqn: iqn.2026-11.com.example:db1
                      luns:
                        - {lun: 0, type: %s, %s size: 1GiB, path: %s,
                           snapshot_schedule: %s}
                cache: {size: 64MiB}
                """.formatted(type, volume, type.equals("file") ? "d.img" : "null", schedule);
        return ConfigLoader.fromFile(Files.writeString(dir.resolve("stowage.yaml"), yaml),
                Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString()));
    }

    private static SnapshotScheduleConfig schedule(GatewayConfig c) {
        return c.iscsi().targets().getFirst().luns().getFirst().snapshotSchedule();
    }

    @Test
    void fullScheduleLoads() throws Exception {
        SnapshotScheduleConfig s = schedule(load(
                "{every: 8h, at: \"01:00\", retain: 7, description: nightly db, time_zone: Europe/Berlin}"));
        assertThat(s).isEqualTo(new SnapshotScheduleConfig(8, 1, ZoneId.of("Europe/Berlin"), 7, "nightly db"));
    }

    @Test
    void unquotedTimeAndDefaults() throws Exception {
        // YAML 1.1 could read 02:00 as a base-60 number; the key is read as written.
        SnapshotScheduleConfig s = schedule(load("{at: 02:00}"));
        assertThat(s).isEqualTo(new SnapshotScheduleConfig(24, 2, ZoneId.systemDefault(), 0, "scheduled snapshot of vol1"));
        assertThat(schedule(load("{}"))).isEqualTo(
                new SnapshotScheduleConfig(24, 0, ZoneId.systemDefault(), 0, "scheduled snapshot of vol1"));
        assertThat(schedule(load("null"))).isNull();
    }

    @Test
    void badValuesNameTheKeyAndTheFix() {
        String k = "config error: iscsi.targets[0].luns[0].snapshot_schedule.";
        assertThatThrownBy(() -> load("{every: 5h}")).hasMessage(k + "every: '5h' is not a snapshot interval; write 1h, "
                + "2h, 3h, 4h, 6h, 8h, 12h or 24h (snapshots are taken at the same hours every day)");
        assertThatThrownBy(() -> load("{every: 90m}")).hasMessageStartingWith(k + "every: '90m' is not a snapshot interval");
        assertThatThrownBy(() -> load("{every: 48h}")).hasMessageStartingWith(k + "every: '48h' is not a snapshot interval");
        assertThatThrownBy(() -> load("{at: \"02:30\"}")).hasMessage(k + "at: '02:30' is not on the hour; "
                + "scheduled snapshots start on the hour; write e.g. \"02:00\"");
        assertThatThrownBy(() -> load("{at: \"25:00\"}")).hasMessageStartingWith(k + "at: '25:00' is not a time of day");
        assertThatThrownBy(() -> load("{at: noon}")).hasMessageStartingWith(k + "at: 'noon' is not a time of day");
        assertThatThrownBy(() -> load("{retain: 0}")).hasMessage(k + "retain: 0 is out of range; keep 1 to 1000 "
                + "scheduled snapshots, or remove retain to keep them all");
        assertThatThrownBy(() -> load("{time_zone: Mars/Olympus}")).hasMessage(k + "time_zone: 'Mars/Olympus' is not "
                + "a time zone; write a zone name such as UTC or Europe/Berlin");
        assertThatThrownBy(() -> load("{description: " + "x".repeat(1025) + "}"))
                .hasMessageStartingWith(k + "description: is 1025 characters long");
        assertThatThrownBy(() -> load("{evry: 8h}")).hasMessageContaining("evry");
    }

    @Test
    void onlyVolumesHaveSchedules() {
        assertThatThrownBy(() -> load("{every: 24h}", "file", ""))
                .hasMessage("config error: iscsi.targets[0].luns[0].snapshot_schedule: is only used with volumes "
                        + "(type: cached or stored); remove it: a file LUN has no snapshots");
    }
}
