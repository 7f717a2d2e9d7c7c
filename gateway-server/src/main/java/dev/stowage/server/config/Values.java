package dev.stowage.server.config;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the value syntaxes of the configuration file (durations like {@code 30s}, sizes like
 * {@code 16MiB}) and the "did you mean" helper. Stateless; each parser throws
 * {@link ConfigException} naming the key.
 */
final class Values {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?");

    private Values() {
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. */
    static Duration duration(String key, String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new ConfigException(key, "'" + text + "' is not a duration",
                    "write a number with a unit: 500ms, 10s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** {@code 1048576}, {@code 512KiB}, {@code 16MiB}, {@code 1GiB}, {@code 2TiB} (KB/MB/GB/TB are read as powers of 1024 too). */
    static long size(String key, String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches() || m.group(1).length() > 15) {
            throw new ConfigException(key, "'" + text + "' is not a size",
                    "write a number of bytes with an optional unit: 16MiB, 512KiB, 1GiB, 2TiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "KiB", "KB" -> 10;
            case "MiB", "MB" -> 20;
            case "GiB", "GB" -> 30;
            case "TiB", "TB" -> 40;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new ConfigException(key, "'" + text + "' is too large", "write a smaller size");
        }
        return n << shift;
    }

    /** The candidate closest to {@code word} by edit distance, or null when none is close. */
    static String closest(String word, Collection<?> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (Object c : candidates) {
            String s = String.valueOf(c);
            int d = distance(w, s.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = s;
            }
        }
        int allowed = Math.max(2, word.length() / 3);
        if (bestDistance <= allowed) {
            return best;
        }
        // A shortened name (secret_key for secret_access_key): every word of it appears in one candidate.
        java.util.List<String> words = java.util.Arrays.asList(w.split("_"));
        String match = null;
        for (Object c : candidates) {
            java.util.List<String> cw = java.util.Arrays.asList(String.valueOf(c).toLowerCase(Locale.ROOT).split("_"));
            if (words.size() > 1 && cw.containsAll(words)) {
                if (match != null) {
                    return null;
                }
                match = String.valueOf(c);
            }
        }
        return match;
    }

    /** Damerau-Levenshtein distance (adjacent transpositions count as one edit). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
