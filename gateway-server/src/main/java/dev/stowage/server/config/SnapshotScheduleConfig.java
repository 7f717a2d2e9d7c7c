package dev.stowage.server.config;

import java.time.ZoneId;
import java.util.Objects;

/**
 * The checked {@code snapshot_schedule} of a volume's LUN: snapshots at {@code startHour} o'clock and
 * every {@code everyHours} after it, the same hours every day, in {@code zone}; the newest
 * {@code retain} scheduled snapshots are kept (0: all). Snapshots taken by hand are never deleted by
 * the schedule. Immutable.
 *
 * @param everyHours  1, 2, 3, 4, 6, 8, 12 or 24
 * @param startHour   0-23
 * @param zone        time zone of {@code startHour}
 * @param retain      scheduled snapshots kept, 1-1000, or 0 to keep every one
 * @param description the description given to each scheduled snapshot (at most 1024 characters)
 */
public record SnapshotScheduleConfig(int everyHours, int startHour, ZoneId zone, int retain, String description) {

    public SnapshotScheduleConfig {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(description, "description");
        if (everyHours < 1 || everyHours > 24 || 24 % everyHours != 0) {
            throw new IllegalArgumentException("everyHours must divide 24, got " + everyHours);
        }
        if (startHour < 0 || startHour > 23) {
            throw new IllegalArgumentException("startHour must be 0-23, got " + startHour);
        }
        if (retain < 0) {
            throw new IllegalArgumentException("retain must be >= 0, got " + retain);
        }
    }
}
