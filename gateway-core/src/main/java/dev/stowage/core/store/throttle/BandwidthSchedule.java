package dev.stowage.core.store.throttle;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Bandwidth limits for traffic to the bucket, by day of week and time of day: a default limit for
 * uploads and for downloads, and up to {@link #MAX_WINDOWS} windows that replace one or both of
 * them at given times. Limits are bytes per second; {@link #UNLIMITED} means no limit.
 *
 * <p><b>Windows.</b> A window applies on its days from {@code from} (inclusive) to the next
 * {@code to} (exclusive), in the schedule's time zone, at minute resolution. When {@code to} is not
 * after {@code from} the window runs past midnight into the next day (22:00-06:00 on Friday lasts
 * until Saturday 06:00; {@code to} 00:00 means the end of the day); {@code from == to} is a whole
 * 24 hours. A direction a window leaves out keeps the default limit. Windows may not overlap.
 *
 * <p><b>Time zones.</b> Times are wall-clock times in the zone: on the day clocks go forward the
 * skipped hour simply does not happen (a window that starts inside it starts when the clocks
 * have jumped), and on the day they go back the repeated hour is governed by the same window both
 * times.
 *
 * <p>Immutable and thread-safe. Invalid arguments get {@link IllegalArgumentException} with a
 * one-line message.
 */
public final class BandwidthSchedule {

    /** "No limit", in bytes per second. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** At most this many windows, as AWS Storage Gateway allows. */
    public static final int MAX_WINDOWS = 20;

    private static final int DAY = 24 * 60;
    private static final int WEEK = 7 * DAY;

    /** Upload and download limits in bytes per second, each {@link #UNLIMITED} or at least 1. */
    public record Limits(long upload, long download) {
        public static final Limits NONE = new Limits(UNLIMITED, UNLIMITED);

        public Limits {
            checkRate("upload", upload);
            checkRate("download", download);
        }

        /** True when neither direction is limited. */
        public boolean unlimited() {
            return upload == UNLIMITED && download == UNLIMITED;
        }

        @Override
        public String toString() {
            return "upload " + Rates.format(upload) + ", download " + Rates.format(download);
        }
    }

    /**
     * One scheduled window.
     *
     * @param days     the days it starts on, at least one
     * @param from     start time (minute resolution)
     * @param to       end time; not after {@code from}: the next day; {@code 00:00}: end of the day
     * @param upload   upload limit while it applies, or empty to keep the default
     * @param download download limit while it applies, or empty to keep the default
     */
    public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to, OptionalLong upload,
                         OptionalLong download) {
        public Window {
            Objects.requireNonNull(days, "days");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(upload, "upload");
            Objects.requireNonNull(download, "download");
            if (days.isEmpty()) {
                throw new IllegalArgumentException("a window needs at least one day");
            }
            days = Set.copyOf(EnumSet.copyOf(days));
            if (from.getSecond() != 0 || from.getNano() != 0 || to.getSecond() != 0 || to.getNano() != 0) {
                throw new IllegalArgumentException("window times are whole minutes (HH:MM), got " + from + "-" + to);
            }
            upload.ifPresent(r -> checkRate("upload", r));
            download.ifPresent(r -> checkRate("download", r));
        }

        /** Length in minutes, 1 to 1440. */
        int minutes() {
            int start = minuteOfDay(from);
            int end = minuteOfDay(to);
            int len = Math.floorMod(end - start, DAY);
            return len == 0 ? DAY : len;
        }

        boolean crossesMidnight() {
            return minuteOfDay(from) + minutes() > DAY;
        }
    }

    /** Two windows that cover the same minute: the indexes (first &lt; second) and the first shared local minute. */
    public record Overlap(int first, int second, DayOfWeek day, LocalTime time) {
        /** One line, e.g. {@code window 2 overlaps window 1 on Tuesday at 09:00}. */
        public String describe() {
            return "window " + (second + 1) + " overlaps window " + (first + 1) + " on "
                    + day.name().charAt(0) + day.name().substring(1).toLowerCase(Locale.ROOT) + " at " + time;
        }
    }

    private final Limits defaults;
    private final List<Window> windows;
    private final ZoneId zone;
    /** For each minute of the week (Monday 00:00 = 0): index of the window in force, or -1. */
    private final byte[] owner;
    /** For each minute of the week: minutes until a different window (or none) is in force; 0 = never. */
    private final short[] run;

    /**
     * @param defaults the limits outside every window
     * @param windows  the windows, at most {@link #MAX_WINDOWS}, not overlapping
     * @param zone     the zone the windows' times are in
     */
    public BandwidthSchedule(Limits defaults, List<Window> windows, ZoneId zone) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.windows = List.copyOf(windows);
        this.zone = Objects.requireNonNull(zone, "zone");
        if (this.windows.size() > MAX_WINDOWS) {
            throw new IllegalArgumentException("at most " + MAX_WINDOWS + " windows are allowed, got " + this.windows.size());
        }
        Optional<Overlap> overlap = overlap(this.windows);
        if (overlap.isPresent()) {
            throw new IllegalArgumentException(overlap.get().describe());
        }
        this.owner = ownerMap(this.windows);
        this.run = runLengths(owner);
    }

    /** The same limit all the time in each direction. */
    public static BandwidthSchedule constant(Limits limits) {
        return new BandwidthSchedule(limits, List.of(), ZoneId.of("UTC"));
    }

    /** The first overlap among {@code windows}, or empty when they do not overlap. */
    public static Optional<Overlap> overlap(List<Window> windows) {
        int[] seen = new int[WEEK];
        java.util.Arrays.fill(seen, -1);
        Overlap found = null;
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            for (int m : minutesOf(w)) {
                if (seen[m] >= 0) {
                    Overlap o = new Overlap(seen[m], i, DayOfWeek.of(m / DAY + 1), LocalTime.of(m % DAY / 60, m % 60));
                    if (found == null || o.second() < found.second()
                            || o.second() == found.second() && weekOrder(o) < weekOrder(found)) {
                        found = o;
                    }
                } else {
                    seen[m] = i;
                }
            }
            if (found != null) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    private static int weekOrder(Overlap o) {
        return (o.day().getValue() - 1) * DAY + minuteOfDay(o.time());
    }

    public Limits defaults() {
        return defaults;
    }

    public List<Window> windows() {
        return windows;
    }

    public ZoneId zone() {
        return zone;
    }

    /** True when no limit applies at any time. */
    public boolean unlimited() {
        return defaults.unlimited() && windows.stream().allMatch(w ->
                w.upload().orElse(UNLIMITED) == UNLIMITED && w.download().orElse(UNLIMITED) == UNLIMITED);
    }

    /** The limits in force at {@code instant}. */
    public Limits limitsAt(Instant instant) {
        int w = owner[minuteOfWeek(instant.atZone(zone))];
        if (w < 0) {
            return defaults;
        }
        Window window = windows.get(w);
        return new Limits(window.upload().orElse(defaults.upload()), window.download().orElse(defaults.download()));
    }

    /**
     * The first moment after {@code instant} at which the limits may change (a window starts or
     * ends, or the zone's clocks change), or {@link Instant#MAX} when they never change. It is a
     * time to look again, never later than a change, not a promise that one happens.
     */
    public Instant nextChange(Instant instant) {
        ZonedDateTime now = instant.atZone(zone);
        int minutes = run[minuteOfWeek(now)];
        if (minutes == 0) {
            return Instant.MAX;
        }
        LocalDateTime local = now.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(minutes);
        ZonedDateTime boundary = ZonedDateTime.of(local, zone);
        if (!boundary.toInstant().isAfter(instant)) {
            boundary = boundary.withLaterOffsetAtOverlap(); // the repeated hour, second time round
        }
        Instant next = boundary.toInstant();
        // Where clocks change before that, the local time jumps and another window may apply.
        ZoneOffsetTransition shift = zone.getRules().nextTransition(instant);
        if (shift != null && shift.getInstant().isBefore(next)) {
            next = shift.getInstant();
        }
        if (!next.isAfter(instant)) {
            // A clock change put the local boundary behind us: look again in a minute.
            next = instant.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        }
        return next;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("default ").append(defaults);
        for (Window w : windows) {
            sb.append("; ").append(days(w.days())).append(' ').append(w.from()).append('-').append(w.to())
                    .append(w.upload().isPresent() ? " upload " + Rates.format(w.upload().getAsLong()) : "")
                    .append(w.download().isPresent() ? " download " + Rates.format(w.download().getAsLong()) : "");
        }
        return sb.append(" (").append(zone).append(')').toString();
    }

    private static String days(Set<DayOfWeek> days) {
        StringBuilder sb = new StringBuilder();
        for (DayOfWeek d : EnumSet.copyOf(days)) {
            sb.append(sb.isEmpty() ? "" : ",").append(d.name().substring(0, 3).toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    private static void checkRate(String what, long rate) {
        if (rate < 1) {
            throw new IllegalArgumentException(what + " limit must be at least 1 byte/s or unlimited, got " + rate);
        }
    }

    private static int minuteOfDay(LocalTime t) {
        return t.getHour() * 60 + t.getMinute();
    }

    private static int minuteOfWeek(ZonedDateTime t) {
        return (t.getDayOfWeek().getValue() - 1) * DAY + t.getHour() * 60 + t.getMinute();
    }

    /** Every minute of the week the window covers. */
    private static int[] minutesOf(Window w) {
        int len = w.minutes();
        int[] out = new int[len * w.days().size()];
        int i = 0;
        for (DayOfWeek d : EnumSet.copyOf(w.days())) {
            int start = (d.getValue() - 1) * DAY + minuteOfDay(w.from());
            for (int k = 0; k < len; k++) {
                out[i++] = (start + k) % WEEK;
            }
        }
        return out;
    }

    private static byte[] ownerMap(List<Window> windows) {
        byte[] owner = new byte[WEEK];
        java.util.Arrays.fill(owner, (byte) -1);
        for (int i = 0; i < windows.size(); i++) {
            for (int m : minutesOf(windows.get(i))) {
                owner[m] = (byte) i;
            }
        }
        return owner;
    }

    /** For each minute, how many minutes until the owner differs (cyclic); 0 when it never does. */
    private static short[] runLengths(byte[] owner) {
        short[] run = new short[WEEK];
        int change = -1;
        for (int m = 1; m < WEEK && change < 0; m++) {
            if (owner[m] != owner[m - 1]) {
                change = m;
            }
        }
        if (change < 0 && owner[0] == owner[WEEK - 1]) {
            return run; // one owner all week: never changes
        }
        if (change < 0) {
            change = 0;
        }
        // Walk backwards from a change point once around the week.
        int next = change; // a minute where a new owner starts
        for (int k = 1; k <= WEEK; k++) {
            int m = Math.floorMod(change - k, WEEK);
            int after = (m + 1) % WEEK;
            if (owner[after] != owner[m]) {
                next = after;
            }
            run[m] = (short) Math.floorMod(next - m, WEEK);
            if (run[m] == 0) {
                run[m] = (short) WEEK;
            }
        }
        return run;
    }
}
