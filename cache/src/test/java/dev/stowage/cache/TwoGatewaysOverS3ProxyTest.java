package dev.stowage.cache;

import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.core.store.s3.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TwoGatewaysTest}'s main scenario over a real S3 protocol stack (an in-process S3Proxy on
 * 127.0.0.1): conditional head and owner writes as S3 answers them (ETags, 412).
 */
@Timeout(180)
class TwoGatewaysOverS3ProxyTest {
    private static final String ACCESS = "stowage-test-access";
    private static final String SECRET = "stowage-test-secret-not-a-real-one";

    @TempDir
    Path dir;

    @Test
    void aSecondGatewayIsDetectedOverS3() throws Exception {
        Path data = dir.resolve("s3");
        Files.createDirectories(data.resolve("bucket"));
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", data.toString());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem-nio2", props))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .jettyMaxThreads(24)
                .build();
        proxy.start();
        try {
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(10); // bounded by the test timeout
            }
            S3Settings settings = S3Settings.of(URI.create("http://127.0.0.1:" + proxy.getPort()), "us-east-1",
                    "bucket", new S3Settings.Credentials.Static(ACCESS, SECRET, null)).withPrefix("gw/");
            try (S3ObjectStore store = new S3ObjectStore(settings)) {
                TwoGatewaysTest.secondWriterIsDetected(TestBucket.over(store), dir.resolve("caches"));
            }
        } finally {
            proxy.stop();
        }
    }
}
