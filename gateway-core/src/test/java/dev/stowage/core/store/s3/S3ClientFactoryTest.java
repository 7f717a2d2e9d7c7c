package dev.stowage.core.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class S3ClientFactoryTest {

    @Test
    void staticCredentialsCarryTheSessionToken() {
        AwsCredentials c = S3ClientFactory.credentials(
                new S3Settings.Credentials.Static("AKIDSTATIC", "secret", "token")).resolveCredentials();
        assertThat(c.accessKeyId()).isEqualTo("AKIDSTATIC");
        assertThat(c).isInstanceOfSatisfying(AwsSessionCredentials.class,
                s -> assertThat(s.sessionToken()).isEqualTo("token"));
    }

    @Test
    void profileCredentialsAreReadFromTheSharedFile(@TempDir Path home) throws Exception {
        Path file = home.resolve("credentials");
        Files.writeString(file, "[backup]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s3cr3t\n");
        String old = System.getProperty("aws.sharedCredentialsFile");
        System.setProperty("aws.sharedCredentialsFile", file.toString());
        try {
            AwsCredentials c = S3ClientFactory.credentials(new S3Settings.Credentials.Profile("backup"))
                    .resolveCredentials();
            assertThat(c.accessKeyId()).isEqualTo("AKIDPROFILE");
            assertThatThrownBy(() -> S3ClientFactory.credentials(new S3Settings.Credentials.Profile("other"))
                    .resolveCredentials())
                    .isInstanceOf(S3ClientFactory.MissingCredentialsException.class)
                    .hasMessageContaining("profile 'other'");
        } finally {
            if (old == null) {
                System.clearProperty("aws.sharedCredentialsFile");
            } else {
                System.setProperty("aws.sharedCredentialsFile", old);
            }
        }
    }

    @Test
    void retriesFollowTheSettings() {
        assertThat(S3ClientFactory.retryStrategy(0).maxAttempts()).isEqualTo(1);
        assertThat(S3ClientFactory.retryStrategy(5).maxAttempts()).isEqualTo(6);
    }

    @Test
    void transfersGetTimeForTheirPayloadOnTopOfTheRequestTimeout() {
        S3Settings s = S3Settings.of(null, "us-east-1", "b", new S3Settings.Credentials.Static("a", "b", null))
                .withRetries(0, java.time.Duration.ofSeconds(30));
        assertThat(S3ClientFactory.transferTimeout(s, 0).apiCallAttemptTimeout()).contains(java.time.Duration.ofSeconds(30));
        assertThat(S3ClientFactory.transferTimeout(s, 16L << 20).apiCallAttemptTimeout())
                .contains(java.time.Duration.ofSeconds(30 + 256));
        assertThat(S3ClientFactory.transferTimeout(s, -1).apiCallAttemptTimeout())
                .contains(S3ClientFactory.UNKNOWN_SIZE_TRANSFER_LIMIT);
    }

    @Test
    void endpointNamesForMessages() {
        S3Settings.Credentials creds = new S3Settings.Credentials.Static("a", "b", null);
        assertThat(S3ClientFactory.endpointName(S3Settings.of(null, "eu-north-1", "b", creds)))
                .isEqualTo("https://s3.eu-north-1.amazonaws.com");
        assertThat(S3ClientFactory.endpointName(S3Settings.of(URI.create("http://minio:9000"), "us-east-1", "b", creds)))
                .isEqualTo("http://minio:9000");
        assertThat(S3ClientFactory.describe(new S3Settings.Credentials.Environment())).contains("AWS_ACCESS_KEY_ID");
    }
}
