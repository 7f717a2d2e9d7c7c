package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.throttle.BandwidthSchedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code bandwidth} section: what loads, environment overrides, and the one-line errors operators see. */
class BandwidthConfigTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static final String S3 = """
            s3:
              endpoint: https://s3.example.com:9000
              bucket: backups
              credentials: {access_key_id: AKIAEXAMPLE, secret_access_key: wJalrXUtnFEMIexampleSECRETkey}
            """;

    private GatewayConfig load(String yaml, Map<String, String> extraEnv) throws IOException {
        Path f = Files.writeString(dir.resolve("stowage.yaml"), S3 + yaml, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("STOWAGE_DATA_DIR", dir.resolve("data").toString());
        return ConfigLoader.fromFile(f, env);
    }

    private BandwidthSchedule schedule(String yaml) throws IOException {
        return load(yaml, Map.of()).bandwidth();
    }

    private void error(String yaml, String message) {
        error(yaml, Map.of(), message);
    }

    private void error(String yaml, Map<String, String> env, String message) {
        assertThatThrownBy(() -> load(yaml, env)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void theDocumentedShapeLoads() throws IOException {
        BandwidthSchedule s = schedule("""
                bandwidth:
                  upload: 100MiB/s
                  download: unlimited
                  timezone: Europe/Berlin
                  schedule:
                    - days: mon-fri
                      from: "08:00"
                      to: "18:00"
                      upload: 10MiB/s
                    - days: sat,sun
                      download: 800Mbit/s
                """);
        assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(s.defaults().upload()).isEqualTo(100 * MIB);
        assertThat(s.defaults().download()).isEqualTo(BandwidthSchedule.UNLIMITED);
        assertThat(s.windows()).hasSize(2);
        assertThat(s.windows().get(0).days()).containsExactlyInAnyOrder(DayOfWeek.MONDAY, DayOfWeek.TUESDAY,
                DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
        // Monday 2026-11-23, 09:00 in Berlin is 08:00 UTC.
        assertThat(s.limitsAt(Instant.parse("2026-11-23T08:00:00Z")).upload()).isEqualTo(10 * MIB);
        assertThat(s.limitsAt(Instant.parse("2026-11-23T06:59:00Z")).upload()).isEqualTo(100 * MIB);
        // The weekend window: whole days (from and to left out), download only, upload stays the default.
        BandwidthSchedule.Limits saturday = s.limitsAt(Instant.parse("2026-11-28T12:00:00Z"));
        assertThat(saturday.download()).isEqualTo(100_000_000);
        assertThat(saturday.upload()).isEqualTo(100 * MIB);
    }

    @Test
    void unquotedTimesAndDefaultsWork() throws IOException {
        BandwidthSchedule s = schedule("""
                bandwidth:
                  schedule:
                    - {days: daily, from: 18:30, to: 06:00, upload: 1Gbit/s}
                """);
        assertThat(s.zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(s.defaults()).isEqualTo(BandwidthSchedule.Limits.NONE);
        assertThat(s.windows().getFirst().from()).isEqualTo(LocalTime.of(18, 30));
        assertThat(s.windows().getFirst().to()).isEqualTo(LocalTime.of(6, 0));
        assertThat(s.limitsAt(Instant.parse("2026-11-24T05:00:00Z")).upload()).isEqualTo(125_000_000);
        assertThat(s.unlimited()).isFalse();
    }

    @Test
    void dayNamesAndShortcuts() throws IOException {
        BandwidthSchedule s = schedule("""
                bandwidth:
                  schedule:
                    - {days: weekdays, from: "09:00", to: "17:00", upload: 1MiB/s}
                    - {days: weekend, from: "00:00", to: "12:00", upload: 2MiB/s}
                    - {days: "Friday-monday", from: "20:00", to: "21:00", upload: 3MiB/s}
                """);
        assertThat(s.windows().get(0).days()).hasSize(5).doesNotContain(DayOfWeek.SATURDAY);
        assertThat(s.windows().get(1).days()).containsExactlyInAnyOrder(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
        assertThat(s.windows().get(2).days()).containsExactlyInAnyOrder(DayOfWeek.FRIDAY, DayOfWeek.MONDAY,
                DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
    }

    @Test
    void noSectionMeansNoLimits() throws IOException {
        assertThat(load("", Map.of()).bandwidth()).isNull();
        assertThat(schedule("bandwidth: {upload: unlimited}\n").unlimited()).isTrue();
    }

    @Test
    void scalarKeysCanBeSetFromTheEnvironment() throws IOException {
        GatewayConfig c = load("bandwidth: {upload: 1MiB/s}\n", Map.of("STOWAGE_BANDWIDTH_UPLOAD", "20MiB/s",
                "STOWAGE_BANDWIDTH_DOWNLOAD", "400Mbit/s", "STOWAGE_BANDWIDTH_TIMEZONE", "America/New_York"));
        assertThat(c.bandwidth().defaults().upload()).isEqualTo(20 * MIB);
        assertThat(c.bandwidth().defaults().download()).isEqualTo(50_000_000);
        assertThat(c.bandwidth().zone()).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(load("", Map.of("STOWAGE_BANDWIDTH_UPLOAD", "5MiB/s")).bandwidth().defaults().upload())
                .isEqualTo(5 * MIB);
        error("", Map.of("STOWAGE_BANDWIDTH_UPLOAD", "fast"), "config error: bandwidth.upload (from STOWAGE_BANDWIDTH_UPLOAD): "
                + "'fast' is not a rate; write e.g. 100MiB/s, 512KiB/s, 800Mbit/s, 1Gbit/s or unlimited");
    }

    @Test
    void ratesThatAreNotRatesOrTooLow() {
        error("bandwidth: {upload: 100MiB}\n",
                "config error: bandwidth.upload: '100MiB' has no '/s'; write a rate per second, e.g. 100MiB/s");
        error("bandwidth: {download: 10kbit/s}\n", "config error: bandwidth.download: '10kbit/s' is below the lowest "
                + "limit of 102400 bit/s (12800 B/s); write at least 102400bit/s, or unlimited");
        error("bandwidth:\n  schedule:\n    - {days: mon, upload: 1KiB/s}\n", "config error: bandwidth.schedule[0].upload: "
                + "'1KiB/s' is below the lowest limit of 51200 bit/s (6400 B/s); write at least 51200bit/s, or unlimited");
    }

    @Test
    void timeZonesAreCheckedWithASuggestion() {
        error("bandwidth: {timezone: Europe/Berln}\n", "config error: bandwidth.timezone: 'Europe/Berln' is not a time "
                + "zone (did you mean 'Europe/Berlin'?); write a region name such as Europe/Berlin or America/New_York, or UTC");
    }

    @Test
    void windowsAreChecked() {
        error("bandwidth:\n  schedule:\n    - {days: mon-fry, upload: 1MiB/s}\n", "config error: bandwidth.schedule[0].days: "
                + "'mon-fry' is not a list of days ('fry' is not a day); write days like mon-fri, sat,sun, fri-mon, weekdays, weekend or daily");
        error("bandwidth:\n  schedule:\n    - {from: \"08:00\", upload: 1MiB/s}\n",
                "config error: bandwidth.schedule[0].days: is missing; write days like mon-fri, sat,sun, fri-mon, weekdays, weekend or daily");
        error("bandwidth:\n  schedule:\n    - {days: mon, from: 8am, upload: 1MiB/s}\n",
                "config error: bandwidth.schedule[0].from: '8am' is not a time; write HH:MM in 24-hour form, in quotes, e.g. \"08:00\"");
        error("bandwidth:\n  schedule:\n    - {days: mon, to: \"25:00\", upload: 1MiB/s}\n",
                "config error: bandwidth.schedule[0].to: '25:00' is not a time of day; write HH:MM in 24-hour form, "
                        + "in quotes, e.g. \"08:00\" (\"24:00\" for the end of the day)");
        error("bandwidth:\n  schedule:\n    - {days: mon}\n", "config error: bandwidth.schedule[0]: sets neither upload "
                + "nor download; add upload: and/or download: (a rate or unlimited)");
        error("bandwidth:\n  schedule:\n    - {days: mon, uplaod: 1MiB/s}\n",
                "config error: bandwidth.schedule[0].uplaod: unknown key 'bandwidth.schedule[0].uplaod' (did you mean "
                        + "'upload'?); keys allowed in bandwidth.schedule[0]: days, download, from, to, upload");
    }

    @Test
    void overlappingWindowsNameBothEntriesAndWhere() {
        error("""
                bandwidth:
                  schedule:
                    - {days: mon-fri, from: "08:00", to: "18:00", upload: 10MiB/s}
                    - {days: sun-mon, from: "22:00", to: "09:00", upload: unlimited}
                """, "config error: bandwidth.schedule[1]: overlaps bandwidth.schedule[0] on Monday at 08:00; "
                + "change days, from or to so that no time is in two windows");
    }

    @Test
    void atMostTwentyWindows() {
        StringBuilder yaml = new StringBuilder("bandwidth:\n  schedule:\n");
        for (int h = 0; h < 21; h++) {
            yaml.append(String.format("    - {days: mon, from: \"%02d:00\", to: \"%02d:30\", upload: 1MiB/s}%n", h, h));
        }
        error(yaml.toString(), "config error: bandwidth.schedule: has 21 windows; use at most 20 "
                + "(join neighbouring windows with the same limits)");
    }
}
