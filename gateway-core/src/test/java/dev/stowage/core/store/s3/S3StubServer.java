package dev.stowage.core.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny HTTP server on 127.0.0.1 that answers every request with what the test scripted (canned S3
 * XML errors, headers, bodies) and records the requests it got. For the S3 behaviour no test server
 * implements (restore, archive states, SSE headers, error codes of AWS). Thread-safe.
 */
final class S3StubServer implements AutoCloseable {

    /** What the stub saw. Header names are lower-case. */
    record Request(String method, String path, String query, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What the stub answers. A null body sends no body (as for HEAD). */
    record Response(int status, Map<String, String> headers, byte[] body, Duration delay) {
        static Response of(int status, String xmlBody) {
            return new Response(status, Map.of("Content-Type", "application/xml"),
                    xmlBody == null ? null : xmlBody.getBytes(StandardCharsets.UTF_8), Duration.ZERO);
        }

        static Response ok() {
            return new Response(200, Map.of(), new byte[0], Duration.ZERO);
        }

        static Response error(int status, String code, String message) {
            return of(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                    + message + "</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>stub</HostId></Error>");
        }

        Response withHeader(String name, String value) {
            Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            h.putAll(headers);
            h.put(name, value);
            return new Response(status, h, body, delay);
        }

        Response withDelay(Duration d) {
            return new Response(status, headers, body, d);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Request, Response> handler = r -> Response.ok();

    S3StubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request from now on is answered by {@code h}. */
    void answer(Function<Request, Response> h) {
        handler = h;
    }

    /** Every request from now on gets {@code r}. */
    void answer(Response r) {
        handler = req -> r;
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                ex.getRequestURI().getRawQuery(), headers, body);
        requests.add(req);
        Response resp;
        try {
            resp = handler.apply(req);
        } catch (RuntimeException e) {
            resp = Response.error(500, "StubFailure", e.toString());
        }
        if (!resp.delay().isZero()) {
            try {
                Thread.sleep(resp.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        resp.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().add("x-amz-request-id", "4442587FB7D0A2F9");
        boolean noBody = resp.body() == null || req.method().equals("HEAD");
        ex.sendResponseHeaders(resp.status(), noBody ? -1 : (resp.body().length == 0 ? -1 : resp.body().length));
        if (!noBody && resp.body().length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(resp.body());
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
