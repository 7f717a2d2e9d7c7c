package dev.stowage.cache;

import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.core.store.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TwoGatewaysTest}'s main scenario over a real S3 protocol stack (an in-process S3Proxy on
 * 127.0.0.1): conditional head and owner writes as S3 answers them (ETags, 412).
 */
@Timeout(180)
class TwoGatewaysOverS3ProxyTest {
    @TempDir
    Path dir;

    @Test
    void aSecondGatewayIsDetectedOverS3() throws Exception {
        Path data = dir.resolve("s3");
        Files.createDirectories(data.resolve("bucket"));
        try (S3ProxyServer server = new S3ProxyServer(data);
             S3ObjectStore store = new S3ObjectStore(server.settings("bucket").withPrefix("gw/"))) {
            TwoGatewaysTest.secondWriterIsDetected(TestBucket.over(store), dir.resolve("caches"));
        }
    }
}
