package dev.stowage.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.core.store.s3.S3Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo appliance end to end, in-process: embedded S3 over HTTP, bucket check, health endpoint, restarts. */
class DemoApplianceTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path cwd;

    private final ByteArrayOutputStream banner = new ByteArrayOutputStream();

    private Daemon.Launch launch() {
        banner.reset();
        Map<String, String> env = Map.of("STOWAGE_DATA_DIR", dataDir.toString(), "STOWAGE_DEMO_S3_PORT", "0",
                "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0", "STOWAGE_DEMO_ISCSI_PORT", "0");
        return new Daemon.Launch(null, env, cwd, cwd.toString(), S3ObjectStore::new, FrontEnds.CONFIGURED,
                new PrintStream(banner, true, StandardCharsets.UTF_8), InstantSource.system(), false);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void startsServesHealthStoresObjectsAndSurvivesRestart() throws Exception {
        String secret;
        S3Settings settings;
        try (Daemon.Running running = Daemon.start(launch())) {
            assertThat(running.demoStore()).isNotNull();
            settings = running.config().s3();
            assertThat(settings.bucket()).isEqualTo("stowage");
            assertThat(settings.endpoint().getHost()).isEqualTo("127.0.0.1");
            secret = ((S3Settings.Credentials.Static) settings.credentials()).secretAccessKey();

            String text = banner.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("demo appliance", settings.endpoint().toString(), "stowage",
                    running.health().url(), "iSCSI:", "portal 127.0.0.1:", Daemon.DEMO_IQN,
                    "iscsiadm -m discovery -t st -p 127.0.0.1:", "iscsi-ls iscsi://127.0.0.1:", "NFS:", "not yet available");
            assertThat(text).contains(secret).contains("shown only now");

            Path credFile = dataDir.resolve("demo-s3/credentials");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credFile))).isEqualTo("rw-------");

            HttpResponse<String> health = get(running.health().url());
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode json = new ObjectMapper().readTree(health.body());
            assertThat(json.get("status").asText()).isEqualTo("ok");
            assertThat(json.get("s3").get("status").asText()).isEqualTo("ok");
            assertThat(json.get("version").asText()).isNotBlank();
            assertThat(json.has("uptime_seconds")).isTrue();

            // A separate real S3 client (HTTP, signed requests) writes into the demo bucket.
            try (S3ObjectStore client = new S3ObjectStore(settings)) {
                client.put("hello.txt", "hello demo".getBytes(StandardCharsets.UTF_8), PutOptions.DEFAULT);
                assertThat(new String(client.get("hello.txt"), StandardCharsets.UTF_8)).isEqualTo("hello demo");
            }

            // A second instance on the same data directory is refused while the first runs.
            assertThatThrownBy(() -> Daemon.start(launch()))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("is in use by another Stowage process")
                    .hasMessageContaining(dataDir.toString());

            // S3 going away at runtime turns health to 503 with the reason.
            running.demoStore().stop();
            HealthMonitorProbe.check(running);
            HttpResponse<String> down = get(running.health().url());
            assertThat(down.statusCode()).isEqualTo(503);
            JsonNode downJson = new ObjectMapper().readTree(down.body());
            assertThat(downJson.get("status").asText()).isEqualTo("error");
            assertThat(downJson.get("s3").get("message").asText())
                    .startsWith("S3 check failed for bucket stowage at endpoint " + settings.endpoint());
        }

        // Restart on the same data directory: same credentials, same data, secret not printed again.
        try (Daemon.Running again = Daemon.start(launch())) {
            S3Settings s = again.config().s3();
            assertThat(((S3Settings.Credentials.Static) s.credentials()).secretAccessKey()).isEqualTo(secret);
            String text = banner.toString(StandardCharsets.UTF_8);
            assertThat(text).doesNotContain(secret).contains("not shown again")
                    .contains(dataDir.resolve("demo-s3/credentials").toString());
            try (S3ObjectStore client = new S3ObjectStore(s)) {
                assertThat(new String(client.get("hello.txt"), StandardCharsets.UTF_8)).isEqualTo("hello demo");
            }
        }
    }

    /** Runs the monitor's check now instead of waiting for its interval. */
    static final class HealthMonitorProbe {
        static void check(Daemon.Running running) {
            running.monitor().checkNow();
        }
    }
}
