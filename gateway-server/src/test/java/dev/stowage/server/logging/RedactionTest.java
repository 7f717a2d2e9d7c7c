package dev.stowage.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.server.Daemon;
import dev.stowage.server.FrontEnds;
import dev.stowage.server.StartupException;
import dev.stowage.server.config.ConfigLoader;
import dev.stowage.server.config.GatewayConfig;
import dev.stowage.server.config.RawConfig;
import dev.stowage.server.demo.DemoCredentials;
import dev.stowage.server.demo.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A secret access key from the configuration never shows up in logs, error messages or toString(). */
class RedactionTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @AfterEach
    void restoreLogging() {
        LogSetup.configure("INFO", false);
    }

    private Path config(String secret, String extra) throws Exception {
        return Files.writeString(dir.resolve("stowage.yaml"), """
                s3:
                  endpoint: http://127.0.0.1:1
                  bucket: backups
                  credentials:
                    access_key_id: AKIAREDACTION
                    secret_access_key: %s
                %s""".formatted(secret, extra));
    }

    @Test
    void toStringNeverShowsTheSecret() throws Exception {
        String secret = "toStringSecret0123456789abcdef";
        GatewayConfig c = ConfigLoader.fromFile(config(secret, ""), Map.of("STOWAGE_DATA_DIR", dir.toString()));
        assertThat(c.toString()).doesNotContain(secret).contains("AKIAREDACTION");
        assertThat(c.s3().toString()).doesNotContain(secret);
        assertThat(new RawConfig.Credentials("static", "AKIA", secret, "token-abcdef", null).toString())
                .doesNotContain(secret).doesNotContain("token-abcdef");
        assertThat(new DemoCredentials("STOWAGEX", secret, dir, true).toString()).doesNotContain(secret);
    }

    @Test
    void configErrorsNeverShowTheSecret() throws Exception {
        String secret = "errorSecret0123456789abcdefgh";
        // A YAML syntax error on the secret's own line (unterminated quote).
        Path broken = Files.writeString(dir.resolve("broken.yaml"),
                "s3:\n  bucket: b1\n  credentials:\n    secret_access_key: \"" + secret + "\n");
        assertThatThrownBy(() -> ConfigLoader.fromFile(broken, Map.of())).hasMessageContaining("YAML syntax error")
                .hasMessageNotContaining(secret);
        // A secret given where it does not belong.
        Path misplaced = config(secret, "").resolveSibling("misplaced.yaml");
        Files.writeString(misplaced, Files.readString(dir.resolve("stowage.yaml")).replace("access_key_id: AKIAREDACTION", "type: profile"));
        assertThatThrownBy(() -> ConfigLoader.fromFile(misplaced, Map.of()))
                .hasMessageStartingWith("config error: s3.credentials.secret_access_key: is only used with type: static")
                .hasMessageNotContaining(secret);
        // A secret from the environment, in a file with another error.
        String envSecret = "envSecret0123456789abcdefghij";
        Path other = Files.writeString(dir.resolve("other.yaml"), "s3:\n  bucket: b1\n  path_style: " + envSecret + "\n");
        assertThatThrownBy(() -> ConfigLoader.fromFile(other, Map.of("STOWAGE_S3_SECRET_ACCESS_KEY", envSecret)))
                .hasMessageStartingWith("config error: s3.path_style:")
                .hasMessageNotContaining(envSecret);
    }

    @Test
    void logLinesMaskSecretsInTextAndJson() throws Exception {
        String secret = "logSecret0123456789abcdefghijk";
        GatewayConfig c = ConfigLoader.fromFile(config(secret, ""), Map.of("STOWAGE_DATA_DIR", dir.toString()));
        Logger log = LoggerFactory.getLogger("redaction-test");
        LogSetup.configure("INFO", false, logs);
        log.atInfo().addKeyValue("config", c).log("careless line with {}", secret);
        log.error("failure", new IllegalStateException("wrapped " + secret));
        LogSetup.configure("INFO", true, logs);
        log.atInfo().addKeyValue("key", secret).log("json line " + secret);
        String out = logs.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain(secret).contains("careless line with ****").contains("wrapped ****");
        String jsonLine = out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        JsonNode json = new ObjectMapper().readTree(jsonLine);
        assertThat(json.get("msg").asText()).isEqualTo("json line ****");
        assertThat(json.get("key").asText()).isEqualTo("****");
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("logger").asText()).isEqualTo("redaction-test");
    }

    @Test
    void aWholeStartUpNeverLogsTheSecret() throws Exception {
        String secret = "startupSecret0123456789abcdefgh";
        EmbeddedS3 s3 = new EmbeddedS3(dir.resolve("s3"), 0, "backups",
                new DemoCredentials("AKIAREDACTION", secret, dir.resolve("c"), false));
        s3.start();
        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        try {
            Path file = Files.writeString(dir.resolve("stowage.yaml"), """
                    s3:
                      endpoint: %s
                      bucket: backups
                      credentials:
                        access_key_id: AKIAREDACTION
                        secret_access_key: %s
                    data_dir: %s
                    health:
                      listen: 127.0.0.1:0
                    logging:
                      level: debug
                    """.formatted(s3.endpoint(), secret, dir.resolve("data")));
            LogSetup.configure("DEBUG", false, logs);
            Daemon.Launch launch = new Daemon.Launch(file, Map.of(), dir, dir.toString(), S3ObjectStore::new,
                    FrontEnds.NONE, new PrintStream(banner, true, StandardCharsets.UTF_8), InstantSource.system(), false);
            try (Daemon.Running running = Daemon.start(launch)) {
                running.monitor().checkNow();
            }
            // And a failing start (wrong bucket) with the same secret.
            Files.writeString(file, Files.readString(file).replace("bucket: backups", "bucket: missing-bucket"));
            assertThatThrownBy(() -> Daemon.start(launch)).isInstanceOf(StartupException.class)
                    .hasMessageContaining("missing-bucket").hasMessageNotContaining(secret);
        } finally {
            s3.stop();
        }
        String out = logs.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("started").contains("S3 check passed");
        assertThat(out).doesNotContain(secret);
        assertThat(banner.toString(StandardCharsets.UTF_8)).doesNotContain(secret);
    }
}
