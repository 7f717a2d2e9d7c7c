package dev.stowage.cache;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * When scheduled snapshots of a volume are taken: every {@code everyHours} hours starting at
 * {@code startHour} o'clock in {@code zone}, the same hours every day (so {@code everyHours} must
 * divide 24: 1, 2, 3, 4, 6, 8, 12 or 24). Example: start 1, every 8 hours: 01:00, 09:00, 17:00.
 * Immutable.
 */
public record SnapshotSchedule(int startHour, int everyHours, ZoneId zone) {

    public SnapshotSchedule {
        if (startHour < 0 || startHour > 23) {
            throw new IllegalArgumentException("snapshot start hour must be 0-23, got " + startHour);
        }
        if (everyHours < 1 || everyHours > 24 || 24 % everyHours != 0) {
            throw new IllegalArgumentException("snapshots can be taken every 1, 2, 3, 4, 6, 8, 12 or 24 hours, got "
                    + everyHours);
        }
        Objects.requireNonNull(zone, "zone");
    }

    /** Whether a snapshot is due at hour {@code hour} (0-23) of a day. */
    boolean atHour(int hour) {
        return Math.floorMod(hour - startHour, everyHours) == 0;
    }

    /** The first scheduled time strictly after {@code after}. */
    public Instant next(Instant after) {
        LocalDate day = after.atZone(zone).toLocalDate();
        for (int d = 0; d <= 2; d++) {
            for (int hour = 0; hour < 24; hour++) {
                if (!atHour(hour)) {
                    continue;
                }
                // atStartOfDay + hours: on a daylight-saving change an hour that does not exist moves on.
                Instant t = ZonedDateTime.of(day.plusDays(d).atTime(hour, 0), zone).toInstant();
                if (t.isAfter(after)) {
                    return t;
                }
            }
        }
        throw new IllegalStateException("no scheduled time within two days of " + after); // cannot happen
    }
}
