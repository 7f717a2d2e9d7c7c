package dev.stowage.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;

/**
 * Configures logback from the gateway configuration: one appender (standard output, or a given
 * stream in tests), text or JSON lines, the root level, and quieter levels for chatty libraries.
 * Call from one thread at a time (start-up); logging itself stays thread-safe.
 */
public final class LogSetup {

    /** Libraries whose INFO output is noise for an operator. */
    private static final String[] QUIET = {"org.gaul", "org.eclipse.jetty", "software.amazon.awssdk",
            "org.apache.http", "io.netty", "io.opentelemetry"};

    private LogSetup() {
    }

    /** Logs to standard output. */
    public static void configure(String level, boolean json) {
        configure(level, json, new NonClosing(System.out));
    }

    /** Logs to {@code out} (flushed after every line). */
    public static void configure(String level, boolean json, OutputStream out) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        LayoutBase<ILoggingEvent> layout = json ? new JsonLayout() : new TextLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(ctx);
        appender.setName("stowage");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.setOutputStream(out);
        appender.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(appender);
        Level quiet = root.getLevel().isGreaterOrEqual(Level.WARN) ? root.getLevel() : Level.WARN;
        for (String name : QUIET) {
            ctx.getLogger(name).setLevel(quiet);
        }
    }

    /** Flushes and stops logging; call last, at shutdown. */
    public static void shutdown() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }

    /** Keeps logback from closing System.out when it stops. */
    private static final class NonClosing extends PrintStream {
        NonClosing(PrintStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            flush();
        }
    }
}
