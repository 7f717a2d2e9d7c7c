package dev.stowage.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The CLI's side of the admin API: sends one request to the running daemon and returns the JSON
 * answer, or throws {@link Failure} with one line to print (the API's own error message, or why
 * the daemon could not be reached). Not thread-safe; one per command.
 */
final class AdminClient {

    /** Where the API is when nothing else is said: the default {@code health.listen}. */
    static final String DEFAULT_ADDRESS = "127.0.0.1:9480";

    /** A request that did not succeed; the message is one line for standard error. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;

    /**
     * @param address host:port of the daemon's health listener ({@code 0.0.0.0} means this machine)
     * @param timeout how long to wait for an answer
     */
    AdminClient(String address, Duration timeout) throws Failure {
        String a = address.strip().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        a = a.replaceFirst("^0\\.0\\.0\\.0:", "127.0.0.1:").replaceFirst("^\\[::\\]:", "[::1]:");
        if (!a.matches("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5}")) {
            throw new Failure("'" + address + "' is not a host:port address; write e.g. " + DEFAULT_ADDRESS);
        }
        this.base = URI.create("http://" + a + AdminApi.PREFIX);
        this.timeout = timeout;
    }

    /** The address to use: the --api option, else STOWAGE_HEALTH_LISTEN, else the default. */
    static String address(String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        String listen = env.get("STOWAGE_HEALTH_LISTEN");
        return listen == null || listen.isBlank() ? DEFAULT_ADDRESS : listen;
    }

    JsonNode get(String path) throws Failure {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode post(String path, JsonNode body) throws Failure {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)));
    }

    JsonNode delete(String path) throws Failure {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    private URI uri(String path) {
        return base.resolve(path);
    }

    private JsonNode send(HttpRequest.Builder request) throws Failure {
        String where = "http://" + base.getRawAuthority();
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            r = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw notRunning(where, "connection refused or timed out");
        } catch (HttpTimeoutException e) {
            throw new Failure("the Stowage daemon at " + where + " did not answer within " + timeout.toSeconds()
                    + " s; see its log");
        } catch (IOException e) {
            throw notRunning(where, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            body = null;
        }
        if (r.statusCode() >= 200 && r.statusCode() < 300 && body != null) {
            return body;
        }
        if (body != null && body.hasNonNull("error")) {
            throw new Failure(body.get("error").asText());
        }
        throw new Failure("unexpected answer " + r.statusCode() + " from " + where
                + " (is it a Stowage daemon of this version? the admin API is under " + AdminApi.PREFIX + ")");
    }

    private static Failure notRunning(String where, String why) {
        return new Failure("cannot reach the Stowage daemon at " + where + " (" + why + "); is it running "
                + "('stowage run')? If it listens elsewhere, give its health.listen address with --api host:port");
    }
}
