package dev.stowage.server.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: every line is a {@code # HELP},
 * a {@code # TYPE} (before the family's samples, once) or a sample {@code name{labels} value}
 * whose family was typed; anything else fails with the offending line.
 */
final class ExpositionParser {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(?:\\{(" + LABEL + "(?:," + LABEL + ")*)?\\})? (NaN|[+-]Inf|[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (gauge|counter|histogram|summary|untyped)");

    /** A parsed page: family → type, and series ({@code name} + {@code {labels}}) → value. */
    record Page(Map<String, String> types, Map<String, Double> series) {
        String type(String family) {
            return types.get(family);
        }

        /** The value of {@code name{labels}} ({@code labels} as written, "" for none); fails when absent. */
        Double value(String name, String labels) {
            String key = labels.isEmpty() ? name : name + "{" + labels + "}";
            if (!series.containsKey(key)) {
                throw new AssertionError("no series " + key + " in " + series.keySet());
            }
            return series.get(key);
        }
    }

    private ExpositionParser() {
    }

    static Page parse(String text) {
        if (!text.endsWith("\n")) {
            throw new AssertionError("the page does not end with a line feed");
        }
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                Matcher t = TYPE.matcher(line);
                if (t.matches()) {
                    if (types.put(t.group(1), t.group(2)) != null) {
                        throw new AssertionError("family typed twice: " + line);
                    }
                } else if (!HELP.matcher(line).matches()) {
                    throw new AssertionError("bad comment line: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not name{labels} value: " + line);
            }
            if (!types.containsKey(m.group(1))) {
                throw new AssertionError("sample before its TYPE line: " + line);
            }
            String key = m.group(2) == null ? m.group(1) : m.group(1) + "{" + m.group(2) + "}";
            String v = m.group(3);
            double value = v.equals("NaN") ? Double.NaN : v.equals("+Inf") ? Double.POSITIVE_INFINITY
                    : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v);
            if (series.put(key, value) != null) {
                throw new AssertionError("series twice: " + line);
            }
        }
        return new Page(types, series);
    }
}
