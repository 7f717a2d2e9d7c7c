package dev.stowage.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import dev.stowage.server.health.HealthServer;
import dev.stowage.server.lifecycle.Service;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (Prometheus text format 0.0.4, see {@link MetricsCollector}) on the
 * health endpoint's server (same loopback address, same threads) while it runs. Other methods get
 * 405, other paths under {@code /metrics} 404; a scrape that fails gets 500 with a one-line message
 * (and a log line). Threading: start/stop from the appliance's thread; requests on the server's pool.
 */
public final class MetricsService implements Service {

    /** The path served. */
    public static final String PATH = "/metrics";

    private static final Logger log = LoggerFactory.getLogger(MetricsService.class);

    private final HealthServer server;
    private final MetricsCollector collector;
    private boolean running;

    public MetricsService(HealthServer server, MetricsCollector collector) {
        this.server = server;
        this.collector = collector;
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public synchronized void start() {
        server.addRoute(PATH, this::handle);
        running = true;
    }

    @Override
    public synchronized void stop() {
        if (running) {
            server.removeRoute(PATH);
            running = false;
        }
    }

    /** http://host:port/metrics */
    public String url() {
        return server.url().replaceFirst("/health$", PATH);
    }

    @Override
    public synchronized String describe() {
        return running ? url() + " (Prometheus)" : null;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals(PATH)) {
                send(ex, 404, "not found; try " + PATH + "\n");
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                send(ex, 405, "method not allowed; use GET\n");
                return;
            }
            String page;
            try {
                page = collector.scrape();
            } catch (RuntimeException e) {
                log.atWarn().setCause(e).log("metrics scrape failed");
                send(ex, 500, "metrics scrape failed: " + e + "\n");
                return;
            }
            send(ex, 200, page);
        }
    }

    private static void send(HttpExchange ex, int code, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", PromText.CONTENT_TYPE);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
