package dev.stowage.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.chunk.BucketChunkStore.DedupProbe;
import dev.stowage.core.chunk.BucketChunkStore.Options;
import dev.stowage.core.chunk.CorruptChunkException.Reason;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.core.store.s3.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chunk store over a real S3 HTTP endpoint (S3Proxy in-process on 127.0.0.1, filesystem
 * backend): binary frames, chunk keys, HEAD probes and If-None-Match as a server answers them.
 */
class BucketChunkStoreOverS3Test {

    private static final String ACCESS = "stowage-test-access";
    private static final String SECRET = "stowage-test-secret-not-a-real-one";

    @TempDir
    static Path serverDir;
    static S3Proxy proxy;
    static S3Settings settings;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(serverDir.resolve("chunks-bucket")); // a bucket of the filesystem backend
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", serverDir.toString());
        proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem-nio2", props))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .build();
        proxy.start();
        for (int i = 0; i < 2000 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(10);
        }
        assertThat(proxy.getState()).isEqualTo("STARTED");
        settings = S3Settings.of(URI.create("http://127.0.0.1:" + proxy.getPort()), "us-east-1", "chunks-bucket",
                new S3Settings.Credentials.Static(ACCESS, SECRET, null)).withRetries(1, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(DedupProbe.class)
    void chunksRoundTripDeduplicateAndVerifyOverHttp(DedupProbe probe) {
        try (ObjectStore s3 = new S3ObjectStore(settings.withPrefix("gw-" + probe.name().toLowerCase() + "/"))) {
            ChunkCodec codec = new ChunkCodec(ChunkCodec.Settings.DEFAULT.withEncryption(true),
                    KeyRing.single(1, TestData.key(1)));
            Options options = Options.DEFAULT.withProbe(probe);
            BucketChunkStore chunks = new BucketChunkStore(s3, TestData.hasher(), codec, options);
            byte[] big = TestData.compressible(4 << 20, 1);
            byte[] random = TestData.random(1 << 20, 2);
            ChunkRef a = chunks.put(big);
            ChunkRef b = chunks.put(random);
            ChunkRef empty = chunks.put(new byte[0]);
            assertThat(chunks.get(a.id())).isEqualTo(big);
            assertThat(chunks.get(b.id())).isEqualTo(random);
            assertThat(chunks.get(empty.id())).isEmpty();
            assertThat(s3.head(a.id().objectKey()).size()).isEqualTo(a.storedLength());

            // A second gateway process on the same bucket deduplicates against what is there.
            BucketChunkStore restarted = new BucketChunkStore(s3, TestData.hasher(), codec, options);
            assertThat(restarted.put(big)).isEqualTo(a);
            assertThat(restarted.stats().chunksUploaded()).isZero();
            assertThat(restarted.stats().chunksDeduplicated()).isEqualTo(1);

            // Damage in the bucket is caught, and the next put of the content repairs it.
            byte[] damaged = s3.get(b.id().objectKey());
            damaged[damaged.length / 2] ^= 4;
            s3.put(b.id().objectKey(), damaged, PutOptions.DEFAULT);
            assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(CorruptChunkException.class,
                    () -> restarted.get(b.id())).reason()).isEqualTo(Reason.AUTHENTICATION);
            restarted.put(random);
            assertThat(restarted.get(b.id())).isEqualTo(random);

            assertThat(restarted.delete(List.of(a.id(), b.id(), empty.id())).allDeleted()).isTrue();
            assertThat(restarted.exists(a.id())).isFalse();
        }
    }
}
