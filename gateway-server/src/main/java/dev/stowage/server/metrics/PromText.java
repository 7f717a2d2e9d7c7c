package dev.stowage.server.metrics;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: for each metric family a
 * {@code # HELP} and a {@code # TYPE} line, then its samples {@code name{label="value"} number}.
 * Label values and help text are escaped as the format requires (backslash, double quote in label
 * values, line feed). Counters must be named {@code ..._total}; a family may be declared once.
 *
 * <p>Bad names (not {@code [a-zA-Z_:][a-zA-Z0-9_:]*}), a counter without {@code _total}, a family
 * declared twice or a sample before any family throw {@link IllegalArgumentException} or
 * {@link IllegalStateException}: they are programming errors. Not thread-safe: one per scrape.
 */
public final class PromText {

    /** The content type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Metric types this exporter uses. */
    public enum Type { GAUGE, COUNTER }

    private final StringBuilder out = new StringBuilder();
    private final Set<String> families = new HashSet<>();
    private String current;

    /** Declares a gauge family; the samples that follow belong to it. */
    public PromText gauge(String name, String help) {
        return family(name, Type.GAUGE, help);
    }

    /** Declares a counter family (name ends in {@code _total}); the samples that follow belong to it. */
    public PromText counter(String name, String help) {
        return family(name, Type.COUNTER, help);
    }

    /** Declares a family of {@code type}. */
    public PromText family(String name, Type type, String help) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name: " + name);
        }
        if (type == Type.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        if (!families.add(name)) {
            throw new IllegalStateException("metric family declared twice: " + name);
        }
        current = name;
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
        return this;
    }

    /** A sample without labels of the current family. */
    public PromText sample(double value) {
        requireFamily();
        out.append(current).append(' ').append(formatValue(value)).append('\n');
        return this;
    }

    /** A sample of the current family with one label. */
    public PromText sample(String label, String labelValue, double value) {
        requireFamily();
        if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
            throw new IllegalArgumentException("not a label name: " + label);
        }
        out.append(current).append('{').append(label).append("=\"").append(escapeLabelValue(labelValue))
                .append("\"} ").append(formatValue(value)).append('\n');
        return this;
    }

    /** The text written so far. */
    public String text() {
        return out.toString();
    }

    /** A label value escaped for the format: {@code \} → {@code \\}, {@code "} → {@code \"}, line feed → {@code \n}. */
    public static String escapeLabelValue(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Help text escaped for the format: {@code \} → {@code \\}, line feed → {@code \n}. */
    public static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** A number as the format writes it: integers without a fraction, {@code NaN}, {@code +Inf}, {@code -Inf}. */
    public static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        double abs = Math.abs(v);
        return abs >= 1e-3 && abs < 1e15 ? java.math.BigDecimal.valueOf(v).toPlainString() : Double.toString(v);
    }

    private void requireFamily() {
        if (current == null) {
            throw new IllegalStateException("declare a metric family before its samples");
        }
    }
}
