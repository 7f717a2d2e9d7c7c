package dev.stowage.core.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stowage.core.store.PutOptions;
import software.amazon.awssdk.services.s3.S3Client;

class S3SmokeTest {
    @TempDir
    Path dir;

    @Test
    void roundTrip() throws Exception {
        try (S3ProxyServer server = new S3ProxyServer(dir)) {
            S3Settings s = server.settings("smoke");
            try (S3Client c = S3ClientFactory.build(s, S3ClientFactory.credentials(s.credentials()))) {
                c.createBucket(b -> b.bucket("smoke"));
            }
            try (S3ObjectStore store = new S3ObjectStore(s)) {
                store.put("a/b", "hello".getBytes(), PutOptions.DEFAULT);
                assertThat(new String(store.get("a/b"))).isEqualTo("hello");
                System.out.println(store.head("a/b"));
                System.out.println(store.list("", null, 10));
            }
        }
    }
}
