package dev.stowage.server.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a volume's {@code snapshot_schedule} ({@code every}, {@code at}, {@code retain},
 * {@code description}, {@code time_zone}) and builds a {@link SnapshotScheduleConfig}. The first
 * problem is a {@link ConfigException} naming the key and the fix. Stateless.
 */
final class SnapshotScheduleValidator {

    static final int MAX_RETAIN = 1000;
    static final int MAX_DESCRIPTION = 1024;
    private static final Pattern AT = Pattern.compile("(\\d{1,2}):(\\d{2})");

    private SnapshotScheduleValidator() {
    }

    /** Null when {@code raw} is null (no schedule). */
    static SnapshotScheduleConfig validate(ConfigValidator v, String k, RawConfig.SnapshotSchedule raw, String volumeId) {
        if (raw == null) {
            return null;
        }
        int every = 24;
        if (raw.every() != null && !raw.every().isBlank()) {
            Duration d = Values.duration(v.key(k + ".every"), raw.every());
            long hours = d.toHours();
            if (d.isZero() || !d.equals(Duration.ofHours(hours)) || hours > 24 || 24 % hours != 0) {
                throw v.error(k + ".every", "'" + raw.every() + "' is not a snapshot interval",
                        "write 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h (snapshots are taken at the same hours every day)");
            }
            every = (int) hours;
        }
        int hour = 0;
        if (raw.at() != null && !raw.at().isBlank()) {
            Matcher m = AT.matcher(raw.at().strip());
            if (!m.matches() || Integer.parseInt(m.group(1)) > 23 || Integer.parseInt(m.group(2)) > 59) {
                throw v.error(k + ".at", "'" + raw.at() + "' is not a time of day",
                        "write the hour of the first snapshot of the day in quotes, e.g. at: \"02:00\"");
            }
            if (Integer.parseInt(m.group(2)) != 0) {
                throw v.error(k + ".at", "'" + raw.at() + "' is not on the hour",
                        "scheduled snapshots start on the hour; write e.g. \"" + m.group(1) + ":00\"");
            }
            hour = Integer.parseInt(m.group(1));
        }
        int retain = 0;
        if (raw.retain() != null) {
            retain = raw.retain();
            if (retain < 1 || retain > MAX_RETAIN) {
                throw v.error(k + ".retain", retain + " is out of range",
                        "keep 1 to " + MAX_RETAIN + " scheduled snapshots, or remove retain to keep them all");
            }
        }
        String description = raw.description() == null ? "scheduled snapshot of " + volumeId : raw.description();
        if (description.length() > MAX_DESCRIPTION) {
            throw v.error(k + ".description", "is " + description.length() + " characters long",
                    "use at most " + MAX_DESCRIPTION + " characters");
        }
        ZoneId zone = ZoneId.systemDefault();
        if (raw.timeZone() != null && !raw.timeZone().isBlank()) {
            try {
                zone = ZoneId.of(raw.timeZone().strip());
            } catch (DateTimeException e) {
                throw v.error(k + ".time_zone", "'" + raw.timeZone() + "' is not a time zone",
                        "write a zone name such as UTC or Europe/Berlin");
            }
        }
        return new SnapshotScheduleConfig(every, hour, zone, retain, description);
    }
}
