package dev.stowage.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.server.check.BucketCheck;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Health answers follow the monitor's latest check; time is injected, checks are run by hand. */
class HealthServerTest {

    static final class Clock implements InstantSource {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void reportsOkThenErrorThenOkAgain() throws Exception {
        FaultInjectingObjectStore store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        Clock clock = new Clock();
        HealthMonitor monitor = new HealthMonitor(new BucketCheck(store, "b", "http://s3"), Duration.ofHours(1), clock,
                new HealthMonitor.S3Status(true, null, clock.instant()));
        HealthServer server = new HealthServer(new InetSocketAddress("127.0.0.1", 0), monitor);
        server.start();
        monitor.start();
        try {
            URI url = URI.create(server.url());
            clock.now.set(clock.instant().plusSeconds(42));
            HttpResponse<String> ok = send(HttpRequest.newBuilder(url));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Type")).contains("application/json");
            JsonNode body = new ObjectMapper().readTree(ok.body());
            assertThat(body.get("status").asText()).isEqualTo("ok");
            assertThat(body.get("uptime_seconds").asLong()).isEqualTo(42);

            store.failNext(FaultInjectingObjectStore.Operation.LIST, 1, () -> new UnavailableException("connection refused"));
            monitor.checkNow();
            HttpResponse<String> down = send(HttpRequest.newBuilder(url));
            assertThat(down.statusCode()).isEqualTo(503);
            JsonNode d = new ObjectMapper().readTree(down.body());
            assertThat(d.get("status").asText()).isEqualTo("error");
            assertThat(d.get("s3").get("status").asText()).isEqualTo("error");
            assertThat(d.get("s3").get("message").asText())
                    .isEqualTo("S3 check failed for bucket b at endpoint http://s3: connection refused");

            monitor.checkNow();
            assertThat(send(HttpRequest.newBuilder(url)).statusCode()).isEqualTo(200);

            assertThat(send(HttpRequest.newBuilder(url.resolve("/other"))).statusCode()).isEqualTo(404);
            assertThat(send(HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(405);
        } finally {
            monitor.stop();
            server.stop();
        }
    }

    @Test
    void monitorRechecksOnItsOwnAtTheInterval() throws Exception {
        FaultInjectingObjectStore store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        store.outage(true);
        HealthMonitor monitor = new HealthMonitor(new BucketCheck(store, "b", "http://s3"), Duration.ofMillis(20),
                InstantSource.system(), new HealthMonitor.S3Status(true, null, Instant.now()));
        monitor.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (monitor.status().ok() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(monitor.status().ok()).as("a scheduled check saw the outage").isFalse();
            assertThat(monitor.status().message()).contains("S3 check failed for bucket b at endpoint http://s3");
        } finally {
            monitor.stop();
        }
        long calls = store.calls(FaultInjectingObjectStore.Operation.LIST);
        Thread.sleep(100);
        assertThat(store.calls(FaultInjectingObjectStore.Operation.LIST)).as("no checks after stop").isEqualTo(calls);
    }

    @Test
    void portInUseIsAClearError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            HealthMonitor monitor = new HealthMonitor(new BucketCheck(new InMemoryObjectStore(), "b", "x"), Duration.ofHours(1),
                    InstantSource.system(), new HealthMonitor.S3Status(true, null, Instant.now()));
            HealthServer server = new HealthServer(new InetSocketAddress("127.0.0.1", taken.getLocalPort()), monitor);
            org.assertj.core.api.Assertions.assertThatThrownBy(server::start)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " for the health endpoint")
                    .hasMessageContaining("set health.listen");
        }
    }
}
