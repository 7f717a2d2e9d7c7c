package dev.stowage.server.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.stowage.server.Version;
import dev.stowage.server.lifecycle.Service;
import dev.stowage.server.logging.Redactor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The health endpoint (JDK HttpServer): {@code GET /health} answers 200 with
 * {@code {"status":"ok","version":...,"uptime_seconds":...,"s3":{"status":"ok",...}}} while the
 * latest S3 check passed, and 503 with {@code "status":"error"} and the check's message when it
 * failed. Other paths get 404, other methods 405.
 *
 * <p>Other services may serve more paths on the same port with {@link #addRoute} (the admin API
 * under {@code /api/v1/}).
 *
 * <p>Threading: requests are served by a small pool of its own; state is read from the
 * {@link HealthMonitor}, which is thread-safe.
 */
public final class HealthServer implements Service {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InetSocketAddress address;
    private final HealthMonitor monitor;
    private HttpServer server;
    private ExecutorService executor;

    public HealthServer(InetSocketAddress address, HealthMonitor monitor) {
        this.address = address;
        this.monitor = monitor;
    }

    @Override
    public String name() {
        return "health";
    }

    @Override
    public synchronized void start() throws IOException {
        try {
            server = HttpServer.create(address, 16);
        } catch (java.net.BindException e) {
            throw new IOException("cannot listen on " + address.getHostString() + ":" + address.getPort()
                    + " for the health endpoint (" + e.getMessage() + "); free the port or set health.listen", e);
        }
        // A few threads: an admin API call may wait for a snapshot's uploads, and /health must still answer.
        executor = Executors.newFixedThreadPool(6, r -> {
            Thread t = new Thread(r, "health-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /**
     * Serves every path under {@code prefix} (e.g. {@code /api/v1/}) with {@code handler}, on this
     * server's address and threads. Call after {@link #start()}.
     */
    public synchronized void addRoute(String prefix, HttpHandler handler) {
        if (server == null) {
            throw new IllegalStateException("the health server is not running");
        }
        server.createContext(prefix, handler);
    }

    /** Stops serving {@code prefix} (later requests get 404); no-op when not served. */
    public synchronized void removeRoute(String prefix) {
        if (server != null) {
            try {
                server.removeContext(prefix);
            } catch (IllegalArgumentException e) {
                // not registered
            }
        }
    }

    /** The port actually bound (useful when configured with port 0). */
    public synchronized int port() {
        return server.getAddress().getPort();
    }

    /** http://host:port/health */
    public String url() {
        String host = address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port() + "/health";
    }

    @Override
    public String describe() {
        return "health: " + url();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals("/health")) {
                send(ex, 404, "{\"error\":\"not found; try /health\"}");
                return;
            }
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                send(ex, 405, "{\"error\":\"method not allowed\"}");
                return;
            }
            HealthMonitor.S3Status s3 = monitor.status();
            ObjectNode body = JSON.createObjectNode();
            body.put("status", s3.ok() ? "ok" : "error");
            body.put("version", Version.get());
            body.put("uptime_seconds", monitor.uptime().toSeconds());
            ObjectNode s3Node = body.putObject("s3");
            s3Node.put("status", s3.ok() ? "ok" : "error");
            if (s3.message() != null) {
                s3Node.put("message", Redactor.redact(s3.message()));
            }
            s3Node.put("checked_at", s3.checkedAt().toString());
            send(ex, s3.ok() ? 200 : 503, JSON.writeValueAsString(body));
        }
    }

    private static void send(HttpExchange ex, int code, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
