package dev.stowage.server.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.core.store.s3.S3Settings;
import dev.stowage.server.demo.DemoCredentials;
import dev.stowage.server.demo.EmbeddedS3;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bucket check against a real S3 endpoint over HTTP (the embedded S3Proxy store) and the real S3 client. */
class BucketCheckHttpTest {

    static final String KEY = "STOWAGETESTKEY000001";
    static final String SECRET = "test-secret-0123456789abcdefghijklmnopqr";

    @TempDir
    static Path dir;

    static EmbeddedS3 s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = new EmbeddedS3(dir.resolve("data"), 0, "present", new DemoCredentials(KEY, SECRET, dir.resolve("creds"), false));
        s3.start();
    }

    @AfterAll
    static void stop() {
        s3.stop();
    }

    static BucketCheckException.Kind failure(URI endpoint, String bucket, String key, String secret) {
        S3Settings settings = S3Settings.of(endpoint, "us-east-1", bucket, new S3Settings.Credentials.Static(key, secret, null))
                .withRetries(0, Duration.ofSeconds(10));
        try (S3ObjectStore store = new S3ObjectStore(settings)) {
            new BucketCheck(store, bucket, endpoint.toString()).check();
            return null;
        } catch (BucketCheckException e) {
            assertThat(e.getMessage()).startsWith("S3 check failed for bucket " + bucket + " at endpoint " + endpoint + ": ")
                    .doesNotContain(SECRET).doesNotContain("\n");
            return e.kind();
        }
    }

    @Test
    void rightSettingsPass() {
        assertThat(failure(s3.endpoint(), "present", KEY, SECRET)).isNull();
    }

    @Test
    void wrongBucket() {
        assertThat(failure(s3.endpoint(), "absent", KEY, SECRET)).isEqualTo(BucketCheckException.Kind.NO_SUCH_BUCKET);
    }

    @Test
    void unknownAccessKey() {
        assertThat(failure(s3.endpoint(), "present", "STOWAGEUNKNOWNKEY999", SECRET))
                .isEqualTo(BucketCheckException.Kind.UNKNOWN_ACCESS_KEY);
    }

    @Test
    void wrongSecret() {
        assertThat(failure(s3.endpoint(), "present", KEY, "not-the-right-secret-0000000000000000000"))
                .isEqualTo(BucketCheckException.Kind.SIGNATURE_MISMATCH);
    }

    @Test
    void unreachableEndpoint() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThat(failure(URI.create("http://127.0.0.1:" + closedPort), "present", KEY, SECRET))
                .isEqualTo(BucketCheckException.Kind.UNREACHABLE);
    }
}
