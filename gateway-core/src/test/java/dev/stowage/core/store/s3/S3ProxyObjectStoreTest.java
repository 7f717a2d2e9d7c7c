package dev.stowage.core.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stowage.core.store.InvalidCredentialsException;
import dev.stowage.core.store.NoSuchBucketException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreContractTest;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.StoreFailureException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * The contract against a real S3 HTTP endpoint: S3Proxy in-process on a filesystem backend, plus
 * what only a real server shows: its credential and bucket errors, multipart abort, multipart copy.
 */
class S3ProxyObjectStoreTest extends ObjectStoreContractTest {
    static final String BUCKET = "contract";
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @TempDir
    static Path serverDir;
    static S3ProxyServer server;
    static S3Client admin;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3ProxyServer(serverDir);
        S3Settings s = server.settings(BUCKET);
        admin = S3ClientFactory.build(s, S3ClientFactory.credentials(s.credentials()));
        admin.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Test settings: a fresh prefix, small parts, few and quick retries. */
    static S3Settings settings() {
        return server.settings(BUCKET).withPrefix("t" + PREFIXES.incrementAndGet() + "/")
                .withMultipart(MULTIPART_THRESHOLD, PART_SIZE, 3)
                .withRetries(1, Duration.ofSeconds(20));
    }

    @Override
    protected ObjectStore newStore() {
        return new S3ObjectStore(settings());
    }

    /** Multipart uploads still open under a store's prefix. */
    private static List<String> openUploads(S3Settings s) {
        return admin.listMultipartUploads(b -> b.bucket(BUCKET).prefix(s.prefix())).uploads().stream()
                .map(u -> u.key()).toList();
    }

    @Test
    void keysLiveUnderTheConfiguredPrefix() {
        S3Settings s = settings();
        try (S3ObjectStore prefixed = new S3ObjectStore(s)) {
            prefixed.put("inside", bytes("x"), PutOptions.DEFAULT);
            assertThat(admin.headObject(b -> b.bucket(BUCKET).key(s.prefix() + "inside")).contentLength()).isEqualTo(1);
            assertThat(prefixed.list("", null, 10).objects()).extracting(o -> o.key()).containsExactly("inside");
            assertThat(prefixed.describe()).contains(BUCKET).contains(s.prefix()).contains(server.endpoint().toString())
                    .doesNotContain(S3ProxyServer.SECRET_KEY);
        }
    }

    @Test
    void unknownAccessKeyIsReportedAsSuch() {
        S3Settings s = new S3Settings(server.endpoint(), "us-east-1", BUCKET, "", true,
                new S3Settings.Credentials.Static("AKIDUNKNOWN123", S3ProxyServer.SECRET_KEY, null),
                S3Settings.Encryption.NONE, S3Settings.ChecksumMode.WHEN_REQUIRED, Duration.ofSeconds(5),
                Duration.ofSeconds(20), 0, 4, MULTIPART_THRESHOLD, PART_SIZE, 2);
        try (S3ObjectStore bad = new S3ObjectStore(s)) {
            assertThatThrownBy(() -> bad.put("k", bytes("x"), PutOptions.DEFAULT))
                    .isInstanceOfSatisfying(InvalidCredentialsException.class, e -> {
                        assertThat(e.reason()).isEqualTo(InvalidCredentialsException.Reason.UNKNOWN_ACCESS_KEY);
                        assertThat(e.retryable()).isFalse();
                    })
                    .hasMessageContaining("the access key id 'AKIDUNKNOWN123' is not known to " + server.endpoint())
                    .hasMessageContaining("check access_key_id")
                    .message().doesNotContain(S3ProxyServer.SECRET_KEY);
        }
    }

    @Test
    void wrongSecretIsReportedAsSignatureMismatch() {
        S3Settings s = new S3Settings(server.endpoint(), "us-east-1", BUCKET, "", true,
                new S3Settings.Credentials.Static(S3ProxyServer.ACCESS_KEY, "wrong-secret-value-123", null),
                S3Settings.Encryption.NONE, S3Settings.ChecksumMode.WHEN_REQUIRED, Duration.ofSeconds(5),
                Duration.ofSeconds(20), 0, 4, MULTIPART_THRESHOLD, PART_SIZE, 2);
        try (S3ObjectStore bad = new S3ObjectStore(s)) {
            assertThatThrownBy(() -> bad.list("", null, 10))
                    .isInstanceOfSatisfying(InvalidCredentialsException.class, e ->
                            assertThat(e.reason()).isEqualTo(InvalidCredentialsException.Reason.SIGNATURE_MISMATCH))
                    .hasMessageContaining("the secret key does not match the access key id '"
                            + S3ProxyServer.ACCESS_KEY + "'")
                    .hasMessageContaining("check secret_access_key")
                    .message().doesNotContain("wrong-secret-value-123");
        }
    }

    @Test
    void missingBucketIsReportedWithWhatToFix() {
        try (S3ObjectStore noBucket = new S3ObjectStore(server.settings("no-such-bucket").withRetries(0,
                Duration.ofSeconds(20)))) {
            assertThatThrownBy(() -> noBucket.put("k", bytes("x"), PutOptions.DEFAULT))
                    .isInstanceOf(NoSuchBucketException.class)
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist at " + server.endpoint())
                    .hasMessageContaining("create it");
            assertThatThrownBy(() -> noBucket.list("", null, 10)).isInstanceOf(NoSuchBucketException.class);
        }
    }

    @Test
    void aPartFailingMidUploadAbortsTheUploadSoNoPartsRemain() throws Exception {
        // The third part goes out with a wrong Content-MD5: the server rejects it (BadDigest).
        AtomicInteger parts = new AtomicInteger();
        ExecutionInterceptor corruptThirdPart = new ExecutionInterceptor() {
            @Override
            public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
                                                    ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest part && part.partNumber() == 3) {
                    parts.incrementAndGet();
                    return context.httpRequest().toBuilder()
                            .putHeader("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==").build();
                }
                return context.httpRequest();
            }
        };
        Path f = tmp.resolve("five-parts.bin");
        Files.write(f, random((int) (4 * PART_SIZE + 10), 11));
        S3Settings s = settings().withRetries(0, Duration.ofSeconds(20));
        try (S3ObjectStore faulty = new S3ObjectStore(s, List.of(corruptThirdPart), S3ObjectStore.SINGLE_COPY_LIMIT)) {
            assertThatThrownBy(() -> faulty.putLarge("doomed", f, PutOptions.DEFAULT))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("BadDigest");
            assertThat(parts.get()).isEqualTo(1);
            assertThat(openUploads(s)).isEmpty();
            assertThat(faulty.find("doomed")).isEmpty();
        }
    }

    @Test
    void theLocalFileVanishingMidUploadAbortsTheUpload() throws Exception {
        Path f = tmp.resolve("shrinks.bin");
        Files.write(f, random((int) (4 * PART_SIZE), 12));
        ExecutionInterceptor truncateAfterFirstPart = new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest) {
                    try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate(PART_SIZE / 2);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };
        S3Settings s = settings().withMultipart(MULTIPART_THRESHOLD, PART_SIZE, 1);
        try (S3ObjectStore store2 = new S3ObjectStore(s, List.of(truncateAfterFirstPart),
                S3ObjectStore.SINGLE_COPY_LIMIT)) {
            assertThatThrownBy(() -> store2.putLarge("shrunk", f, PutOptions.DEFAULT))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("local file").hasMessageContaining("truncated");
            assertThat(openUploads(s)).isEmpty();
            assertThat(store2.find("shrunk")).isEmpty();
        }
    }

    @Test
    void anInterruptedUploadIsStillAborted() throws Exception {
        Thread caller = Thread.currentThread();
        ExecutionInterceptor interruptCallerAtPartTwo = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest part && part.partNumber() == 2) {
                    caller.interrupt();
                }
            }
        };
        Path f = tmp.resolve("interrupted.bin");
        Files.write(f, random((int) (4 * PART_SIZE), 15));
        S3Settings s = settings().withMultipart(MULTIPART_THRESHOLD, PART_SIZE, 1);
        try (S3ObjectStore st = new S3ObjectStore(s, List.of(interruptCallerAtPartTwo), S3ObjectStore.SINGLE_COPY_LIMIT)) {
            assertThatThrownBy(() -> st.putLarge("interrupted", f, PutOptions.DEFAULT))
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("interrupted");
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            assertThat(openUploads(s)).isEmpty();
            assertThat(st.find("interrupted")).isEmpty();
        }
    }

    @Test
    void writesCarryContentMd5AndNoCrcChecksums() throws Exception {
        List<SdkHttpRequest> seen = Collections.synchronizedList(new ArrayList<>());
        ExecutionInterceptor record = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                seen.add(context.httpRequest());
            }
        };
        Path f = tmp.resolve("two-parts.bin");
        Files.write(f, random((int) (PART_SIZE + 5), 13));
        try (S3ObjectStore recorded = new S3ObjectStore(settings(), List.of(record), S3ObjectStore.SINGLE_COPY_LIMIT)) {
            recorded.put("md5/single", bytes("x"), PutOptions.DEFAULT);
            recorded.putLarge("md5/multi", f, PutOptions.DEFAULT);
            recorded.delete(List.of("md5/single", "md5/multi"));
        }
        List<SdkHttpRequest> writes = seen.stream().filter(r -> r.method().name().equals("PUT")
                || r.rawQueryParameters().containsKey("delete")).toList();
        assertThat(writes).hasSize(4); // PutObject, 2 × UploadPart, DeleteObjects
        for (SdkHttpRequest r : writes) {
            assertThat(r.firstMatchingHeader("Content-MD5")).as(r.getUri().toString()).isPresent();
            assertThat(r.firstMatchingHeader("Content-Encoding")).as("no aws-chunked bodies").isEmpty();
            if (r.method().name().equals("PUT")) {
                // DeleteObjects requires a checksum, so the SDK adds its CRC32 next to the MD5 there.
                assertThat(r.headers().keySet()).as(r.method() + " " + r.getUri())
                        .noneMatch(h -> h.toLowerCase().startsWith("x-amz-checksum-"));
            }
        }
    }

    @Test
    void copiesAboveTheSingleCopyLimitGoThroughMultipartCopy() throws Exception {
        byte[] data = random((int) (2 * PART_SIZE + 99), 14);
        List<String> ops = Collections.synchronizedList(new ArrayList<>());
        ExecutionInterceptor record = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                ops.add(context.request().getClass().getSimpleName());
            }
        };
        S3Settings settings = settings();
        try (S3ObjectStore s = new S3ObjectStore(settings, List.of(record), PART_SIZE)) {
            s.put("copy/src", data, PutOptions.DEFAULT);
            s.copy("copy/src", "copy/dst", PutOptions.builder().metadata("copied", "yes").build());
            assertThat(s.get("copy/dst")).isEqualTo(data);
            assertThat(s.head("copy/dst").metadata()).containsEntry("copied", "yes");
        }
        assertThat(ops).contains("UploadPartCopyRequest", "CompleteMultipartUploadRequest")
                .doesNotContain("CopyObjectRequest");
        assertThat(openUploads(settings)).isEmpty();
    }
}
