package dev.stowage.core.store.throttle;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes bandwidth rates as operators write them: {@code unlimited}; bytes per second
 * {@code 100MiB/s}, {@code 512KiB/s}, {@code 1.5GiB/s}, {@code 20000B/s} ({@code KB}, {@code MB},
 * {@code GB} are read as powers of 1024, like sizes elsewhere in the configuration); or bits per
 * second as network links are rated, in powers of 1000: {@code 800Mbit/s}, {@code 1Gbit/s},
 * {@code 100kbit/s}, {@code 50000bit/s} ({@code Mbps}, {@code Gbps}, {@code kbps}, {@code bps} too).
 * A bit rate becomes bytes per second rounded down.
 *
 * <p>Stateless and thread-safe. A text that is not a rate gets an {@link IllegalArgumentException}
 * whose message is one line saying what is accepted.
 */
public final class Rates {

    /** The accepted forms, for messages: "write e.g. ...". */
    public static final String EXAMPLES = "100MiB/s, 512KiB/s, 800Mbit/s, 1Gbit/s or unlimited";

    private static final Pattern RATE = Pattern.compile(
            "(\\d{1,15}(?:\\.\\d{1,6})?)\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB|bit|kbit|Kbit|Mbit|Gbit|bps|kbps|Kbps|Mbps|Gbps)(/s)?");

    private static final Map<String, Long> BYTE_UNITS = Map.of(
            "B", 1L, "KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30, "TiB", 1L << 40,
            "KB", 1L << 10, "MB", 1L << 20, "GB", 1L << 30, "TB", 1L << 40);
    private static final Map<String, Long> BIT_UNITS = Map.of(
            "bit", 1L, "kbit", 1_000L, "Kbit", 1_000L, "Mbit", 1_000_000L, "Gbit", 1_000_000_000L);

    private Rates() {
    }

    /**
     * Bytes per second for {@code text}, or {@link BandwidthSchedule#UNLIMITED} for
     * {@code unlimited}. A rate that rounds to 0 bytes per second is refused.
     */
    public static long parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("unlimited")) {
            return BandwidthSchedule.UNLIMITED;
        }
        Matcher m = RATE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; write e.g. " + EXAMPLES);
        }
        String unit = m.group(2);
        boolean perSecondUnit = unit.endsWith("ps");
        if (!perSecondUnit && m.group(3) == null) {
            throw new IllegalArgumentException("'" + text + "' has no '/s'; write a rate per second, e.g. " + t + "/s");
        }
        if (perSecondUnit && m.group(3) != null) {
            throw new IllegalArgumentException("'" + text + "' says 'per second' twice; write e.g. "
                    + t.substring(0, t.length() - 2));
        }
        BigDecimal number = new BigDecimal(m.group(1));
        BigDecimal bytes;
        if (BYTE_UNITS.containsKey(unit)) {
            bytes = number.multiply(BigDecimal.valueOf(BYTE_UNITS.get(unit)));
        } else {
            String bitUnit = perSecondUnit ? (unit.equals("bps") ? "bit" : unit.substring(0, 1) + "bit") : unit;
            bytes = number.multiply(BigDecimal.valueOf(BIT_UNITS.get(bitUnit))).divide(BigDecimal.valueOf(8), 0,
                    RoundingMode.FLOOR);
        }
        bytes = bytes.setScale(0, RoundingMode.FLOOR);
        if (bytes.signum() == 0) {
            throw new IllegalArgumentException("'" + text + "' is less than 1 byte per second; write a larger rate or unlimited");
        }
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large; write a smaller rate or unlimited");
        }
        return bytes.longValueExact();
    }

    /** {@code unlimited}, or bytes per second in the largest binary unit that keeps it short, e.g. {@code 10 MiB/s}. */
    public static String format(long bytesPerSecond) {
        if (bytesPerSecond == BandwidthSchedule.UNLIMITED) {
            return "unlimited";
        }
        String[] units = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};
        int u = 0;
        double v = bytesPerSecond;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        String n = v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
        return n + " " + units[u];
    }
}
