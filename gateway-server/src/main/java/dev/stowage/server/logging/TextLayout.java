package dev.stowage.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * Text log lines: {@code <ISO-8601 UTC time> <LEVEL> <logger> <message> key=value ...}, then the
 * stack trace of an attached exception. Secrets registered with {@link Redactor} are masked.
 * Thread-safe (stateless).
 */
public final class TextLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(event.getTimeStamp())))
                .append(' ').append(String.format("%-5s", event.getLevel()))
                .append(' ').append(event.getLoggerName())
                .append(' ').append(event.getFormattedMessage());
        List<KeyValuePair> kvs = event.getKeyValuePairs();
        if (kvs != null) {
            for (KeyValuePair kv : kvs) {
                sb.append(' ').append(kv.key).append('=').append(quote(String.valueOf(kv.value)));
            }
        }
        appendThrowable(sb, event.getThrowableProxy(), "");
        sb.append(CoreConstants.LINE_SEPARATOR);
        return Redactor.redact(sb.toString());
    }

    private static String quote(String v) {
        if (v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=')) {
            return '"' + v.replace("\"", "\\\"") + '"';
        }
        return v;
    }

    static void appendThrowable(StringBuilder sb, IThrowableProxy t, String prefix) {
        if (t == null) {
            return;
        }
        sb.append(CoreConstants.LINE_SEPARATOR).append(prefix).append(t.getClassName()).append(": ").append(t.getMessage());
        for (StackTraceElementProxy e : t.getStackTraceElementProxyArray()) {
            sb.append(CoreConstants.LINE_SEPARATOR).append("\tat ").append(e.getStackTraceElement());
        }
        appendThrowable(sb, t.getCause(), "Caused by: ");
    }
}
