package dev.stowage.server.config;

import dev.stowage.core.store.throttle.BandwidthSchedule;
import dev.stowage.core.store.throttle.BandwidthSchedule.Limits;
import dev.stowage.core.store.throttle.BandwidthSchedule.Window;
import dev.stowage.core.store.throttle.Rates;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the {@code bandwidth} section and builds its {@link BandwidthSchedule}: default upload and
 * download limits, the time zone, and the scheduled windows. The first problem stops validation
 * with a {@link ConfigException} naming the dotted key ({@code bandwidth.schedule[1].from}) and the
 * fix. Not thread-safe (one instance per load).
 */
final class BandwidthValidator {

    /** Lowest upload limit: 51,200 bit/s, as AWS Storage Gateway. */
    static final long MIN_UPLOAD = 51_200 / 8;
    /** Lowest download limit: 102,400 bit/s, as AWS Storage Gateway. */
    static final long MIN_DOWNLOAD = 102_400 / 8;

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})");
    private static final String DAYS_FIX = "write days like mon-fri, sat,sun, fri-mon, weekdays, weekend or daily";

    private final ConfigValidator v;

    BandwidthValidator(ConfigValidator v) {
        this.v = v;
    }

    /** Null when the section is absent. */
    BandwidthSchedule validate(RawConfig.Bandwidth raw) {
        if (raw == null) {
            return null;
        }
        long upload = rate("bandwidth.upload", raw.upload(), MIN_UPLOAD);
        long download = rate("bandwidth.download", raw.download(), MIN_DOWNLOAD);
        ZoneId zone = zone(raw.timezone());
        List<RawConfig.BandwidthWindow> entries = raw.schedule() == null ? List.of() : raw.schedule();
        if (entries.size() > BandwidthSchedule.MAX_WINDOWS) {
            throw v.error("bandwidth.schedule", "has " + entries.size() + " windows",
                    "use at most " + BandwidthSchedule.MAX_WINDOWS + " (join neighbouring windows with the same limits)");
        }
        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            windows.add(window("bandwidth.schedule[" + i + "]", entries.get(i)));
        }
        Optional<BandwidthSchedule.Overlap> overlap = BandwidthSchedule.overlap(windows);
        if (overlap.isPresent()) {
            BandwidthSchedule.Overlap o = overlap.get();
            String day = o.day().name().charAt(0) + o.day().name().substring(1).toLowerCase(Locale.ROOT);
            throw v.error("bandwidth.schedule[" + o.second() + "]", "overlaps bandwidth.schedule[" + o.first() + "] on "
                    + day + " at " + o.time(), "change days, from or to so that no time is in two windows");
        }
        return new BandwidthSchedule(new Limits(upload, download), windows, zone);
    }

    private Window window(String k, RawConfig.BandwidthWindow w) {
        if (w == null) {
            throw v.error(k, "is empty", "write days, from, to and upload and/or download");
        }
        if (w.days() == null || w.days().isBlank()) {
            throw v.error(k + ".days", "is missing", DAYS_FIX);
        }
        Set<DayOfWeek> days = days(k + ".days", w.days());
        LocalTime from = w.from() == null ? LocalTime.MIDNIGHT : time(k + ".from", w.from(), false);
        LocalTime to = w.to() == null ? LocalTime.MIDNIGHT : time(k + ".to", w.to(), true);
        if (w.upload() == null && w.download() == null) {
            throw v.error(k, "sets neither upload nor download", "add upload: and/or download: (a rate or unlimited)");
        }
        OptionalLong up = w.upload() == null ? OptionalLong.empty() : OptionalLong.of(rate(k + ".upload", w.upload(), MIN_UPLOAD));
        OptionalLong down = w.download() == null ? OptionalLong.empty()
                : OptionalLong.of(rate(k + ".download", w.download(), MIN_DOWNLOAD));
        return new Window(days, from, to, up, down);
    }

    private long rate(String k, String text, long minimum) {
        if (text == null || text.isBlank()) {
            return BandwidthSchedule.UNLIMITED;
        }
        long rate;
        try {
            rate = Rates.parse(text);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int cut = m.indexOf("; ");
            throw v.error(k, cut < 0 ? m : m.substring(0, cut), cut < 0 ? null : m.substring(cut + 2));
        }
        if (rate < minimum) {
            throw v.error(k, "'" + text + "' is below the lowest limit of " + minimum * 8 + " bit/s (" + minimum + " B/s)",
                    "write at least " + minimum * 8 + "bit/s, or unlimited");
        }
        return rate;
    }

    private ZoneId zone(String text) {
        if (text == null || text.isBlank()) {
            return UTC;
        }
        try {
            return ZoneId.of(text.strip());
        } catch (DateTimeException e) {
            String guess = Values.closest(text.strip(), ZoneId.getAvailableZoneIds());
            throw v.error("bandwidth.timezone", "'" + text + "' is not a time zone"
                            + (guess == null ? "" : " (did you mean '" + guess + "'?)"),
                    "write a region name such as Europe/Berlin or America/New_York, or UTC");
        }
    }

    /** {@code HH:MM}, 00:00 to 23:59; {@code 24:00} too when {@code end}. */
    private LocalTime time(String k, String text, boolean end) {
        Matcher m = TIME.matcher(text.strip());
        String fix = "write HH:MM in 24-hour form, in quotes, e.g. \"08:00\"" + (end ? " (\"24:00\" for the end of the day)" : "");
        if (!m.matches()) {
            throw v.error(k, "'" + text + "' is not a time", fix);
        }
        int h = Integer.parseInt(m.group(1));
        int min = Integer.parseInt(m.group(2));
        if (end && h == 24 && min == 0) {
            return LocalTime.MIDNIGHT;
        }
        if (h > 23 || min > 59) {
            throw v.error(k, "'" + text + "' is not a time of day", fix);
        }
        return LocalTime.of(h, min);
    }

    /** {@code mon-fri}, {@code sat,sun}, {@code fri-mon} (wraps), {@code weekdays}, {@code weekend}, {@code daily}; full names too. */
    private Set<DayOfWeek> days(String k, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "daily" -> {
                return EnumSet.allOf(DayOfWeek.class);
            }
            case "weekdays" -> {
                return EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
            }
            case "weekend", "weekends" -> {
                return EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
            }
            default -> {
            }
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String part : t.split(",")) {
            String[] ends = part.strip().split("\\s*-\\s*", -1);
            if (ends.length > 2) {
                throw v.error(k, "'" + text + "' is not a list of days", DAYS_FIX);
            }
            DayOfWeek first = day(k, text, ends[0]);
            DayOfWeek last = ends.length == 2 ? day(k, text, ends[1]) : first;
            for (DayOfWeek d = first; ; d = d.plus(1)) {
                days.add(d);
                if (d == last) {
                    break;
                }
            }
        }
        return days;
    }

    private DayOfWeek day(String k, String text, String word) {
        String w = word.strip();
        for (DayOfWeek d : DayOfWeek.values()) {
            String name = d.name().toLowerCase(Locale.ROOT);
            if (w.length() >= 3 && name.startsWith(w)) {
                return d;
            }
        }
        throw v.error(k, "'" + text + "' is not a list of days" + (w.isEmpty() ? "" : " ('" + w + "' is not a day)"),
                DAYS_FIX);
    }
}
