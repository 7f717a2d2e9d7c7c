package dev.stowage.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line: {@code ts}, {@code level}, {@code logger}, {@code thread}, {@code msg},
 * the event's key/value pairs as fields, and {@code error} with the stack trace. Secrets registered
 * with {@link Redactor} are masked. Thread-safe (stateless).
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {

    private static final JsonStringEncoder ENC = JsonStringEncoder.getInstance();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(200).append('{');
        field(sb, "ts", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(event.getTimeStamp())));
        field(sb, "level", event.getLevel().toString());
        field(sb, "logger", event.getLoggerName());
        field(sb, "thread", event.getThreadName());
        field(sb, "msg", event.getFormattedMessage());
        List<KeyValuePair> kvs = event.getKeyValuePairs();
        if (kvs != null) {
            for (KeyValuePair kv : kvs) {
                field(sb, kv.key, String.valueOf(kv.value));
            }
        }
        if (event.getThrowableProxy() != null) {
            StringBuilder trace = new StringBuilder();
            TextLayout.appendThrowable(trace, event.getThrowableProxy(), "");
            field(sb, "error", trace.toString().strip());
        }
        sb.setLength(sb.length() - 1);
        sb.append('}').append(CoreConstants.LINE_SEPARATOR);
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append('"').append(ENC.quoteAsString(name)).append("\":\"")
                .append(ENC.quoteAsString(Redactor.redact(value == null ? "" : value))).append("\",");
    }
}
