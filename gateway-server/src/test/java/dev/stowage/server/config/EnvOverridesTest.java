package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.stowage.core.store.s3.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STOWAGE_* environment variables override the file, and their errors name the variable. */
class EnvOverridesTest {

    @TempDir
    Path dir;

    Path file() throws IOException {
        return Files.writeString(dir.resolve("stowage.yaml"), ConfigLoaderTest.MINIMAL);
    }

    @Test
    void variablesOverrideTheFile() throws IOException {
        Map<String, String> env = Map.of(
                "STOWAGE_S3_ENDPOINT", "http://minio.local:9000",
                "STOWAGE_S3_BUCKET", "other-bucket",
                "STOWAGE_S3_ACCESS_KEY_ID", "MINIOKEY",
                "STOWAGE_S3_SECRET_ACCESS_KEY", "minio-secret-from-env",
                "STOWAGE_S3_PATH_STYLE", "true",
                "STOWAGE_S3_MULTIPART_PARALLELISM", "2",
                "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0",
                "STOWAGE_LOGGING_FORMAT", "json",
                "STOWAGE_DATA_DIR", dir.resolve("d").toString());
        GatewayConfig c = ConfigLoader.fromFile(file(), env);
        assertThat(c.s3().endpoint()).isEqualTo(URI.create("http://minio.local:9000"));
        assertThat(c.s3().bucket()).isEqualTo("other-bucket");
        assertThat(c.s3().credentials()).isEqualTo(new S3Settings.Credentials.Static("MINIOKEY", "minio-secret-from-env", null));
        assertThat(c.s3().uploadParallelism()).isEqualTo(2);
        assertThat(c.healthListen().getPort()).isZero();
        assertThat(c.logFormat()).isEqualTo(GatewayConfig.LogFormat.JSON);
        assertThat(c.dataDir()).isEqualTo(dir.resolve("d"));
    }

    @Test
    void canonicalNamesWorkForEveryKey() {
        assertThat(ConfigKeys.envName("s3.credentials.secret_access_key")).isEqualTo("STOWAGE_S3_CREDENTIALS_SECRET_ACCESS_KEY");
        assertThat(ConfigKeys.envToKey()).containsEntry("STOWAGE_S3_SECRET_ACCESS_KEY", "s3.credentials.secret_access_key")
                .containsEntry("STOWAGE_DATA_DIR", "data_dir")
                .hasSize(ConfigKeys.LEAVES.size() + 2);
    }

    @Test
    void emptyVariableCountsAsUnset() throws IOException {
        GatewayConfig c = ConfigLoader.fromFile(file(), Map.of("STOWAGE_S3_BUCKET", ""));
        assertThat(c.s3().bucket()).isEqualTo("backups");
    }

    @Test
    void badValueFromVariableNamesTheVariable() throws IOException {
        Path f = file();
        assertThatThrownBy(() -> ConfigLoader.fromFile(f, Map.of("STOWAGE_S3_ENDPOINT", "htp://x")))
                .hasMessage("config error: s3.endpoint (from STOWAGE_S3_ENDPOINT): 'htp://x' is not a valid http(s) URL;"
                        + " write it like https://s3.example.com:9000");
        assertThatThrownBy(() -> ConfigLoader.fromFile(f, Map.of("STOWAGE_S3_MAX_CONNECTIONS", "many")))
                .hasMessageStartingWith("config error: s3.max_connections (from STOWAGE_S3_MAX_CONNECTIONS): 'many' is not a whole number");
        assertThatThrownBy(() -> ConfigLoader.fromFile(f, Map.of("STOWAGE_S3_PATH_STYLE", "yes please")))
                .hasMessageStartingWith("config error: s3.path_style (from STOWAGE_S3_PATH_STYLE):");
    }

    @Test
    void configFromEnvironmentAlone() {
        Map<String, String> env = new HashMap<>();
        env.put("STOWAGE_S3_ENDPOINT", "http://127.0.0.1:9000");
        env.put("STOWAGE_S3_BUCKET", "envbucket");
        env.put("STOWAGE_S3_ACCESS_KEY_ID", "K");
        env.put("STOWAGE_S3_SECRET_ACCESS_KEY", "S-env-secret");
        GatewayConfig c = ConfigLoader.fromTree(JsonNodeFactory.instance.objectNode(), "environment", env);
        assertThat(c.s3().bucket()).isEqualTo("envbucket");
        assertThat(c.source()).isEqualTo("environment");
    }

    @Test
    void unknownStowageVariableIsAWarningWithSuggestion() throws IOException {
        GatewayConfig c = ConfigLoader.fromFile(file(), Map.of("STOWAGE_S3_BUCKT", "x", "STOWAGE_CONFIG", "ignored-here"));
        assertThat(c.warnings()).singleElement().asString()
                .contains("STOWAGE_S3_BUCKT is not a Stowage setting").contains("did you mean STOWAGE_S3_BUCKET?");
    }
}
