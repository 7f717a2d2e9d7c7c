package dev.stowage.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.s3.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and validating the YAML file: the happy path and the one-line errors operators see. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    static final String MINIMAL = """
            s3:
              endpoint: https://s3.example.com:9000
              bucket: backups
              credentials:
                access_key_id: AKIAEXAMPLE
                secret_access_key: wJalrXUtnFEMIexampleSECRETkey
            """;

    Path write(String yaml) throws IOException {
        Path f = dir.resolve("stowage.yaml");
        Files.writeString(f, yaml, StandardCharsets.UTF_8);
        return f;
    }

    GatewayConfig load(String yaml) throws IOException {
        return ConfigLoader.fromFile(write(yaml), Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString()));
    }

    AbstractThrowableAssert<?, ? extends Throwable> assertError(String yaml) throws IOException {
        Path f = write(yaml);
        return assertThatThrownBy(() -> ConfigLoader.fromFile(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("config error: ").doesNotContain("\n"));
    }

    @Test
    void fullFileMapsToS3Settings() throws IOException {
        GatewayConfig c = load("""
                s3:
                  endpoint: https://s3.example.com:9000/
                  region: eu-central-1
                  bucket: backups
                  prefix: gateway1
                  path_style: false
                  credentials:
                    type: static
                    access_key_id: AKIAEXAMPLE
                    secret_access_key: wJalrXUtnFEMIexampleSECRETkey
                  encryption:
                    mode: sse-kms
                    kms_key_id: arn:aws:kms:eu-central-1:111122223333:key/abcd
                  timeouts:
                    connect: 5s
                    request: 2m
                  retries: 3
                  max_connections: 32
                  multipart:
                    threshold: 128MiB
                    part_size: 8MiB
                    parallelism: 4
                  checksums: when_supported
                health:
                  listen: 127.0.0.1:9999
                  check_interval: 10s
                logging:
                  level: debug
                  format: json
                """);
        S3Settings s = c.s3();
        assertThat(s.endpoint()).isEqualTo(URI.create("https://s3.example.com:9000"));
        assertThat(s.region()).isEqualTo("eu-central-1");
        assertThat(s.bucket()).isEqualTo("backups");
        assertThat(s.prefix()).isEqualTo("gateway1/");
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.credentials()).isEqualTo(new S3Settings.Credentials.Static("AKIAEXAMPLE", "wJalrXUtnFEMIexampleSECRETkey", null));
        assertThat(s.encryption()).isEqualTo(new S3Settings.Encryption.Kms("arn:aws:kms:eu-central-1:111122223333:key/abcd"));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.maxRetries()).isEqualTo(3);
        assertThat(s.maxConnections()).isEqualTo(32);
        assertThat(s.multipartThreshold()).isEqualTo(128L << 20);
        assertThat(s.partSize()).isEqualTo(8L << 20);
        assertThat(s.uploadParallelism()).isEqualTo(4);
        assertThat(s.checksums()).isEqualTo(S3Settings.ChecksumMode.WHEN_SUPPORTED);
        assertThat(c.healthListen().getPort()).isEqualTo(9999);
        assertThat(c.checkInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.logLevel()).isEqualTo(GatewayConfig.LogLevel.DEBUG);
        assertThat(c.logFormat()).isEqualTo(GatewayConfig.LogFormat.JSON);
    }

    @Test
    void defaultsApplyToAMinimalFile() throws IOException {
        GatewayConfig c = load(MINIMAL);
        S3Settings s = c.s3();
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.prefix()).isEmpty();
        assertThat(s.pathStyle()).as("path style by default for a custom endpoint").isTrue();
        assertThat(s.encryption()).isEqualTo(S3Settings.Encryption.NONE);
        assertThat(s.maxRetries()).isEqualTo(5);
        assertThat(s.partSize()).isEqualTo(16L << 20);
        assertThat(c.healthListen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.healthListen().getPort()).isEqualTo(9480);
        assertThat(c.checkInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.logFormat()).isEqualTo(GatewayConfig.LogFormat.TEXT);
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
    }

    @Test
    void ipv6HealthAddressAndHomeRelativeDataDir() throws IOException {
        GatewayConfig c = ConfigLoader.fromFile(write(MINIMAL + "health:\n  listen: '[::1]:9480'\ndata_dir: ~/stowage-test\n"), Map.of());
        assertThat(c.healthListen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.healthListen().getAddress()).isInstanceOf(java.net.Inet6Address.class);
        assertThat(c.dataDir()).isEqualTo(Path.of(System.getProperty("user.home"), "stowage-test"));
    }

    @Test
    void awsWithoutEndpointUsesVirtualHostedStyle() throws IOException {
        GatewayConfig c = load("""
                s3:
                  region: eu-west-1
                  bucket: my-bucket
                  credentials: {type: profile, profile: backup}
                """);
        assertThat(c.s3().endpoint()).isNull();
        assertThat(c.s3().pathStyle()).isFalse();
        assertThat(c.s3().credentials()).isEqualTo(new S3Settings.Credentials.Profile("backup"));
    }

    @Test
    void misspelledKeyGetsASuggestion() throws IOException {
        assertError("""
                s3:
                  bukcet: backups
                """).hasMessageStartingWith("config error: s3.bukcet: unknown key 's3.bukcet' (did you mean 'bucket'?)");
    }

    @Test
    void misspelledNestedAndTopLevelKeys() throws IOException {
        assertError("""
                s3:
                  bucket: backups
                  credentials:
                    secret_key: x
                """).hasMessageContaining("unknown key 's3.credentials.secret_key' (did you mean 'secret_access_key'?)");
        assertError(MINIMAL + "helth:\n  listen: 127.0.0.1:1\n")
                .hasMessageContaining("unknown key 'helth' (did you mean 'health'?)");
        assertError(MINIMAL + "colour: blue\n")
                .hasMessageContaining("unknown key 'colour'")
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void badEndpointUrl() throws IOException {
        assertError(MINIMAL.replace("https://s3.example.com:9000", "htp://x"))
                .hasMessage("config error: s3.endpoint: 'htp://x' is not a valid http(s) URL; write it like https://s3.example.com:9000");
        assertError(MINIMAL.replace("https://s3.example.com:9000", "s3.example.com"))
                .hasMessageStartingWith("config error: s3.endpoint: 's3.example.com' is not a valid http(s) URL");
        assertError(MINIMAL.replace("https://s3.example.com:9000", "https://s3.example.com/backups"))
                .hasMessageStartingWith("config error: s3.endpoint: 'https://s3.example.com/backups' has a path");
    }

    @Test
    void missingBucketAndSection() throws IOException {
        assertError(MINIMAL.replace("  bucket: backups\n", ""))
                .hasMessageStartingWith("config error: s3.bucket: no bucket is configured;");
        assertError("health:\n  listen: 127.0.0.1:9480\n")
                .hasMessageStartingWith("config error: s3: the s3 section is missing");
        assertError("").hasMessageStartingWith("config error: s3: the s3 section is missing");
        assertError(MINIMAL.replace("bucket: backups", "bucket: Backups_2024"))
                .hasMessageStartingWith("config error: s3.bucket: 'Backups_2024' is not a valid bucket name");
    }

    @Test
    void missingCredentials() throws IOException {
        assertError(MINIMAL.replace("    secret_access_key: wJalrXUtnFEMIexampleSECRETkey\n", ""))
                .hasMessageStartingWith("config error: s3.credentials.secret_access_key: is missing for type: static;");
        assertError(MINIMAL.replace("    access_key_id: AKIAEXAMPLE\n", ""))
                .hasMessageStartingWith("config error: s3.credentials.access_key_id: is missing for type: static;");
        assertError(MINIMAL.replace("  credentials:\n", "  credentials:\n    type: magic\n"))
                .hasMessageStartingWith("config error: s3.credentials.type: 'magic' is not a credentials type;")
                .hasMessageContaining("static, environment, profile, default");
    }

    @Test
    void environmentCredentialsNeedTheVariables() throws IOException {
        Path f = write("""
                s3:
                  bucket: backups
                  credentials: {type: environment}
                """);
        assertThatThrownBy(() -> ConfigLoader.fromFile(f, Map.of()))
                .hasMessageStartingWith("config error: s3.credentials.type: is 'environment' but AWS_ACCESS_KEY_ID is not set");
        GatewayConfig ok = ConfigLoader.fromFile(f, Map.of("AWS_ACCESS_KEY_ID", "AKIA1", "AWS_SECRET_ACCESS_KEY", "sekrit-value"));
        assertThat(ok.s3().credentials()).isEqualTo(new S3Settings.Credentials.Environment());
    }

    @Test
    void badValuesNameTheKey() throws IOException {
        assertError(MINIMAL + "  path_style: maybe\n")
                .hasMessage("config error: s3.path_style: 'maybe' is not true or false; write true or false");
        assertError(MINIMAL + "  retries: lots\n")
                .hasMessageStartingWith("config error: s3.retries: 'lots' is not a whole number");
        assertError(MINIMAL + "  retries: 2.5\n")
                .hasMessageStartingWith("config error: s3.retries:");
        assertError(MINIMAL + "  retries: -1\n")
                .hasMessageStartingWith("config error: s3.retries: -1 is out of range");
        assertError(MINIMAL + "  timeouts:\n    connect: 10 seconds\n")
                .hasMessageStartingWith("config error: s3.timeouts.connect: '10 seconds' is not a duration; write a number with a unit");
        assertError(MINIMAL + "  multipart:\n    part_size: 1MiB\n")
                .hasMessageStartingWith("config error: s3.multipart.part_size: '1MiB' is outside what S3 allows");
        assertError(MINIMAL + "  multipart:\n    part_size: lots\n")
                .hasMessageStartingWith("config error: s3.multipart.part_size: 'lots' is not a size");
        assertError(MINIMAL + "  timeouts: 10s\n")
                .hasMessageStartingWith("config error: s3.timeouts: expected a section of 'key: value' lines here");
        assertError(MINIMAL + "  region: EU West\n")
                .hasMessageStartingWith("config error: s3.region: 'EU West' is not a region name");
        assertError(MINIMAL + "  prefix: /gw\n")
                .hasMessageStartingWith("config error: s3.prefix: '/gw' starts with '/'");
        assertError(MINIMAL + "health:\n  listen: localhost\n")
                .hasMessageStartingWith("config error: health.listen: 'localhost' is not a host:port address");
        assertError(MINIMAL + "health:\n  listen: 127.0.0.1:70000\n")
                .hasMessageStartingWith("config error: health.listen: port 70000 is out of range");
        assertError(MINIMAL + "logging:\n  format: xml\n")
                .hasMessage("config error: logging.format: 'xml' is not allowed; write one of text, json");
        assertError(MINIMAL + "logging:\n  level: loud\n")
                .hasMessageStartingWith("config error: logging.level: 'loud' is not allowed; write one of error, warn, info, debug, trace");
    }

    @Test
    void encryptionModes() throws IOException {
        assertError(MINIMAL + "  encryption:\n    mode: aes\n")
                .hasMessageStartingWith("config error: s3.encryption.mode: 'aes' is not an encryption mode; write one of none, sse-s3, sse-kms, sse-c");
        assertError(MINIMAL + "  encryption:\n    mode: sse-c\n")
                .hasMessageStartingWith("config error: s3.encryption.customer_key_file: is missing for mode: sse-c");
        assertError(MINIMAL + "  encryption:\n    mode: sse-s3\n    kms_key_id: k\n")
                .hasMessageStartingWith("config error: s3.encryption.kms_key_id: is only used with mode: sse-kms");
        Path shortKey = dir.resolve("short.key");
        Files.write(shortKey, new byte[16]);
        assertError(MINIMAL + "  encryption:\n    mode: sse-c\n    customer_key_file: " + shortKey + "\n")
                .hasMessageStartingWith("config error: s3.encryption.customer_key_file: '" + shortKey + "' does not hold a 256-bit key");
        assertError(MINIMAL + "  encryption:\n    mode: sse-c\n    customer_key_file: " + dir.resolve("none.key") + "\n")
                .hasMessageStartingWith("config error: s3.encryption.customer_key_file: cannot read");

        byte[] key = new byte[32];
        key[0] = 7;
        Path b64 = dir.resolve("b64.key");
        Files.writeString(b64, Base64.getEncoder().encodeToString(key) + "\n");
        GatewayConfig c = load(MINIMAL + "  encryption:\n    mode: sse-c\n    customer_key_file: " + b64 + "\n");
        assertThat(c.s3().encryption()).isEqualTo(new S3Settings.Encryption.CustomerKey(key));
        assertThat(load(MINIMAL + "  encryption:\n    mode: sse-s3\n").s3().encryption())
                .isEqualTo(new S3Settings.Encryption.S3Managed());
    }

    @Test
    void yamlSyntaxErrorSaysWhere() throws IOException {
        assertError("""
                s3:
                  bucket: backups
                   endpoint: http://x
                """).hasMessageContaining("line 3").hasMessageContaining("YAML syntax error");
        assertError("s3:\n  bucket: [unclosed\n").hasMessageContaining("YAML syntax error");
    }

    @Test
    void duplicateKeyIsAnError() throws IOException {
        assertError(MINIMAL + "  bucket: other\n").hasMessageContaining("written twice");
    }

    @Test
    void wholeFileProblems() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.fromFile(dir.resolve("missing.yaml"), Map.of()))
                .hasMessageStartingWith("config error: " + dir.resolve("missing.yaml") + ": the configuration file does not exist");
        assertError("- a\n- b\n").hasMessageContaining("must be a YAML mapping");
    }

    @Test
    void sectionsOfLaterVersionsAreNamed() throws IOException {
        assertError(MINIMAL + "nfs:\n  listen: 0.0.0.0:2049\n")
                .hasMessageStartingWith("config error: nfs: this section is not available yet in this version of Stowage; remove it");
        assertError(MINIMAL + "vtl:\n  tapes: 10\n")
                .hasMessageStartingWith("config error: vtl: this section is not available yet");
    }

    @Test
    void dataDirMustBeADirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        assertError(MINIMAL + "data_dir: " + file + "\n")
                .hasMessageStartingWith("config error: data_dir: '" + file + "' exists and is not a directory");
    }
}
