package dev.stowage.core.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stowage.core.store.ArchiveState;
import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.PreconditionFailedException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StorageClass;
import dev.stowage.core.store.s3.S3StubServer.Request;
import dev.stowage.core.store.s3.S3StubServer.Response;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * What S3ObjectStore puts on the wire and how it reads S3's answers, for the features S3Proxy does
 * not have (restore, archive states, SSE, AWS-style conditional answers): checked against
 * {@link S3StubServer}, which records every request.
 */
class S3RequestTest {
    private static final String GMT = "EEE, dd MMM yyyy HH:mm:ss 'GMT'";

    private S3StubServer stub;
    private S3ObjectStore store;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        stub = new S3StubServer();
        store = open(S3Settings.Encryption.NONE);
    }

    @AfterEach
    void stop() {
        store.close();
        stub.close();
    }

    private S3ObjectStore open(S3Settings.Encryption encryption) {
        return new S3ObjectStore(S3ErrorTranslationTest.settings(stub.endpoint(), 0).withEncryption(encryption));
    }

    private Request only() {
        assertThat(stub.requests()).hasSize(1);
        return stub.requests().getFirst();
    }

    private static String md5Base64(byte[] data) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    }

    private static Response etag(String etag) {
        return Response.ok().withHeader("ETag", "\"" + etag + "\"");
    }

    // ---- writes -------------------------------------------------------------------------------

    @Test
    void putSendsContentMd5StorageClassMetadataAndNoCrcChecksum() throws Exception {
        stub.answer(etag("9a0364b9e99bb480dd25e1f0284c8555"));
        byte[] data = "content".getBytes(StandardCharsets.UTF_8);

        PutResult r = store.put("dir/k", data, PutOptions.builder().storageClass(StorageClass.STANDARD_IA)
                .metadata("Mode", "0644").contentType("text/plain").build());

        Request req = only();
        assertThat(req.method()).isEqualTo("PUT");
        assertThat(req.path()).isEqualTo("/bkt/gw/dir/k");
        assertThat(req.body()).isEqualTo(data);
        assertThat(req.header("content-md5")).isEqualTo(md5Base64(data));
        assertThat(req.header("x-amz-storage-class")).isEqualTo("STANDARD_IA");
        assertThat(req.header("x-amz-meta-mode")).isEqualTo("0644");
        assertThat(req.header("content-type")).isEqualTo("text/plain");
        assertThat(req.headers().keySet()).noneMatch(h -> h.startsWith("x-amz-checksum") || h.equals("x-amz-trailer"));
        assertThat(req.header("content-encoding")).isNull();
        assertThat(req.header("if-none-match")).isNull();
        assertThat(r.etag()).isEqualTo("9a0364b9e99bb480dd25e1f0284c8555");
        assertThat(r.key()).isEqualTo("dir/k");
    }

    @Test
    void standardClassSendsNoStorageClassHeader() {
        stub.answer(etag("e"));
        store.put("k", new byte[1], PutOptions.DEFAULT);
        assertThat(only().header("x-amz-storage-class")).isNull();
    }

    @Test
    void conditionalPutsSendIfNoneMatchAndQuotedIfMatch() {
        stub.answer(etag("e"));
        store.put("a", new byte[1], PutOptions.builder().ifNoneMatch().build());
        store.put("b", new byte[1], PutOptions.builder().ifMatch("0cc175b9c0f1b6a831c399e269772661").build());

        assertThat(stub.requests().get(0).header("if-none-match")).isEqualTo("*");
        assertThat(stub.requests().get(1).header("if-match")).isEqualTo("\"0cc175b9c0f1b6a831c399e269772661\"");
    }

    @Test
    void conditionalMultipartUploadThatCannotSucceedSendsNoParts() throws Exception {
        stub.answer(r -> r.method().equals("HEAD") ? etag("current").withHeader("Content-Length", "3") : Response.ok());
        Path f = tmp.resolve("big");
        Files.write(f, new byte[(5 << 20) + 1]);

        assertThatThrownBy(() -> store.putLarge("big", f, PutOptions.builder().ifMatch("stale").build()))
                .isInstanceOf(PreconditionFailedException.class).hasMessageContaining("stale");
        assertThat(stub.requests()).extracting(Request::method).containsExactly("HEAD");
    }

    @Test
    void sseS3IsRequestedOnWritesAndCopies() {
        try (S3ObjectStore sse = open(new S3Settings.Encryption.S3Managed())) {
            stub.answer(r -> r.method().equals("HEAD") ? etag("e").withHeader("Content-Length", "1")
                    : r.header("x-amz-copy-source") != null ? copyResult() : etag("e"));
            sse.put("k", new byte[1], PutOptions.DEFAULT);
            sse.copy("k", "k2", PutOptions.DEFAULT);
        }
        List<Request> writes = stub.requests().stream().filter(r -> r.method().equals("PUT")).toList();
        assertThat(writes).hasSize(2).allSatisfy(r ->
                assertThat(r.header("x-amz-server-side-encryption")).isEqualTo("AES256"));
        assertThat(writes.get(1).header("x-amz-copy-source")).isEqualTo("bkt/gw/k");
        assertThat(writes.get(1).header("x-amz-metadata-directive")).isEqualTo("REPLACE");
    }

    @Test
    void sseKmsSendsTheKeyId() {
        try (S3ObjectStore kms = open(new S3Settings.Encryption.Kms("arn:aws:kms:eu-west-1:111122223333:key/abc"))) {
            stub.answer(etag("e"));
            kms.put("k", new byte[1], PutOptions.DEFAULT);
        }
        Request r = only();
        assertThat(r.header("x-amz-server-side-encryption")).isEqualTo("aws:kms");
        assertThat(r.header("x-amz-server-side-encryption-aws-kms-key-id"))
                .isEqualTo("arn:aws:kms:eu-west-1:111122223333:key/abc");
    }

    @Test
    void sseCustomerKeyGoesWithEveryDataRequestAndCopySource() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        String keyB64 = Base64.getEncoder().encodeToString(key);
        try (S3ObjectStore ssec = open(new S3Settings.Encryption.CustomerKey(key))) {
            stub.answer(r -> switch (r.method()) {
                case "HEAD" -> etag("e").withHeader("Content-Length", "1");
                case "GET" -> new Response(200, Map.of("ETag", "\"e\""), new byte[] {7}, Duration.ZERO);
                default -> r.header("x-amz-copy-source") != null ? copyResult() : etag("e");
            });
            ssec.put("k", new byte[1], PutOptions.DEFAULT);
            ssec.get("k");
            ssec.head("k");
            ssec.copy("k", "k2", PutOptions.DEFAULT);
            assertThat(ssec.describe()).doesNotContain(keyB64);
        }
        assertThat(stub.requests()).hasSize(5).allSatisfy(r -> {
            assertThat(r.header("x-amz-server-side-encryption-customer-algorithm")).isEqualTo("AES256");
            assertThat(r.header("x-amz-server-side-encryption-customer-key")).isEqualTo(keyB64);
            assertThat(r.header("x-amz-server-side-encryption-customer-key-md5")).isEqualTo(md5Base64(key));
        });
        Request copy = stub.requests().get(4);
        assertThat(copy.header("x-amz-copy-source-server-side-encryption-customer-key")).isEqualTo(keyB64);
    }

    private static Response copyResult() {
        return Response.of(200, "<CopyObjectResult><LastModified>2026-01-01T00:00:00.000Z</LastModified>"
                + "<ETag>\"copied\"</ETag></CopyObjectResult>");
    }

    // ---- restore and archive states -----------------------------------------------------------

    @Test
    void restoreRequestCarriesDaysAndTier() {
        stub.answer(Response.of(202, null));
        store.requestRestore("tape/7", 3, RestoreTier.BULK);

        Request r = only();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/bkt/gw/tape/7");
        assertThat(r.query()).contains("restore");
        assertThat(r.bodyText()).contains("<Days>3</Days>").contains("<Tier>Bulk</Tier>");
    }

    @Test
    void restoreAlreadyInProgressCountsAsAccepted() {
        stub.answer(Response.error(409, "RestoreAlreadyInProgress", "Object restore is already in progress"));
        store.requestRestore("tape/7", 1, RestoreTier.EXPEDITED);
        assertThat(only().bodyText()).contains("<Tier>Expedited</Tier>");
    }

    @Test
    void headReadsArchiveStateFromStorageClassAndRestoreHeaders() {
        String future = ZonedDateTime.now(ZoneOffset.UTC).plusDays(2).format(DateTimeFormatter.ofPattern(GMT,
                java.util.Locale.US));
        String past = ZonedDateTime.now(ZoneOffset.UTC).minusDays(2).format(DateTimeFormatter.ofPattern(GMT,
                java.util.Locale.US));
        AtomicReference<Response> next = new AtomicReference<>();
        stub.answer(r -> next.get());
        Response base = etag("e").withHeader("Content-Length", "42").withHeader("Last-Modified",
                "Thu, 01 Jan 2026 00:00:00 GMT");

        next.set(base.withHeader("x-amz-storage-class", "GLACIER"));
        ObjectInfo archived = store.head("a");
        assertThat(archived.archiveState()).isEqualTo(ArchiveState.ARCHIVED);
        assertThat(archived.storageClass()).isEqualTo(StorageClass.GLACIER);
        assertThat(archived.size()).isEqualTo(42);

        next.set(base.withHeader("x-amz-storage-class", "DEEP_ARCHIVE").withHeader("x-amz-restore",
                "ongoing-request=\"true\""));
        assertThat(store.head("a").archiveState()).isEqualTo(ArchiveState.RESTORING);

        next.set(base.withHeader("x-amz-storage-class", "GLACIER").withHeader("x-amz-restore",
                "ongoing-request=\"false\", expiry-date=\"" + future + "\""));
        assertThat(store.head("a").archiveState()).isEqualTo(ArchiveState.RESTORED);

        next.set(base.withHeader("x-amz-storage-class", "GLACIER").withHeader("x-amz-restore",
                "ongoing-request=\"false\", expiry-date=\"" + past + "\""));
        assertThat(store.head("a").archiveState()).isEqualTo(ArchiveState.ARCHIVED);

        next.set(base.withHeader("x-amz-storage-class", "INTELLIGENT_TIERING")
                .withHeader("x-amz-archive-status", "DEEP_ARCHIVE_ACCESS"));
        assertThat(store.head("a").archiveState()).isEqualTo(ArchiveState.ARCHIVED);

        next.set(base.withHeader("x-amz-meta-mode", "0600"));
        ObjectInfo online = store.head("a");
        assertThat(online.archiveState()).isEqualTo(ArchiveState.ONLINE);
        assertThat(online.storageClass()).isEqualTo(StorageClass.STANDARD);
        assertThat(online.metadata()).containsEntry("mode", "0600");
    }

    // ---- reads --------------------------------------------------------------------------------

    @Test
    void rangedGetSendsTheRangeHeader() {
        stub.answer(new Response(206, Map.of("Content-Range", "bytes 10-19/100", "ETag", "\"e\""),
                "0123456789".getBytes(), Duration.ZERO));
        assertThat(store.get("k", ByteRange.of(10, 10))).isEqualTo("0123456789".getBytes());
        assertThat(only().header("range")).isEqualTo("bytes=10-19");
    }

    @Test
    void aServerThatIgnoresRangesStillYieldsTheRequestedBytes() {
        stub.answer(new Response(200, Map.of("ETag", "\"e\""), "0123456789".getBytes(), Duration.ZERO));
        assertThat(store.get("k", ByteRange.of(2, 3))).isEqualTo("234".getBytes());
        assertThat(store.get("k", ByteRange.from(8))).isEqualTo("89".getBytes());
    }

    @Test
    void aRangeStartingPastTheEndIsEmpty() {
        stub.answer(Response.error(416, "InvalidRange", "The requested range is not satisfiable"));
        assertThat(store.get("k", ByteRange.of(1000, 10))).isEmpty();
    }

    // ---- list and delete ----------------------------------------------------------------------

    @Test
    void listStripsThePrefixAndFollowsContinuationTokens() {
        stub.answer(r -> r.query().contains("continuation-token")
                ? Response.of(200, listXml(false, null, "gw/p/c"))
                : Response.of(200, listXml(true, "token/2==", "gw/p/a", "gw/p/b")));

        ListPage first = store.list("p/", null, 2);
        ListPage second = store.list("p/", first.continuation(), 2);

        assertThat(first.objects()).extracting(ObjectInfo::key).containsExactly("p/a", "p/b");
        assertThat(first.continuation()).isEqualTo("token/2==");
        assertThat(first.objects().getFirst().storageClass()).isEqualTo(StorageClass.GLACIER);
        assertThat(first.objects().getFirst().archiveState()).isEqualTo(ArchiveState.ARCHIVED);
        assertThat(first.objects().getFirst().etag()).isEqualTo("etag-gw/p/a");
        assertThat(second.objects()).extracting(ObjectInfo::key).containsExactly("p/c");
        assertThat(second.isLast()).isTrue();
        Request q1 = stub.requests().get(0);
        assertThat(q1.query()).contains("list-type=2").contains("prefix=gw%2Fp%2F").contains("max-keys=2");
        assertThat(stub.requests().get(1).query()).contains("continuation-token=token%2F2%3D%3D");
    }

    private static String listXml(boolean truncated, String token, String... keys) {
        StringBuilder sb = new StringBuilder("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>bkt</Name><Prefix>gw/p/</Prefix><KeyCount>" + keys.length + "</KeyCount><MaxKeys>2</MaxKeys>"
                + "<IsTruncated>" + truncated + "</IsTruncated>");
        if (token != null) {
            sb.append("<NextContinuationToken>").append(token).append("</NextContinuationToken>");
        }
        for (String k : keys) {
            sb.append("<Contents><Key>").append(k).append("</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>")
                    .append("<ETag>\"etag-").append(k).append("\"</ETag><Size>5</Size>")
                    .append("<StorageClass>GLACIER</StorageClass></Contents>");
        }
        return sb.append("</ListBucketResult>").toString();
    }

    @Test
    void deleteGoesInBatchesOfAThousandAndReportsPerKeyFailures() throws Exception {
        stub.answer(r -> Response.of(200, r.bodyText().contains("<Key>gw/k0007</Key>")
                ? "<DeleteResult><Error><Key>gw/k0007</Key><Code>AccessDenied</Code><Message>Access Denied</Message>"
                + "</Error></DeleteResult>"
                : "<DeleteResult></DeleteResult>"));
        List<String> keys = IntStream.range(0, 2_500).mapToObj(i -> String.format("k%04d", i)).toList();

        DeleteResult r = store.delete(keys);

        assertThat(r.failed()).containsExactly(Map.entry("k0007", "AccessDenied: Access Denied"));
        assertThat(r.deleted()).isEqualTo(2_499);
        List<Integer> batchSizes = new ArrayList<>();
        for (Request req : stub.requests()) {
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.query()).contains("delete");
            assertThat(req.header("content-md5")).isEqualTo(md5Base64(req.body()));
            assertThat(req.bodyText()).contains("<Quiet>true</Quiet>");
            Matcher m = Pattern.compile("<Key>").matcher(req.bodyText());
            int n = 0;
            while (m.find()) {
                n++;
            }
            batchSizes.add(n);
        }
        assertThat(batchSizes).containsExactly(1_000, 1_000, 500);
    }

    // ---- addressing ---------------------------------------------------------------------------

    @Test
    void virtualHostedAndAwsDefaultEndpointsAddressTheBucketByHostName() {
        assertThat(requestFor(URI.create("http://localhost:9"), false).getUri().toString())
                .isEqualTo("http://bkt.localhost:9/gw/k");
        assertThat(requestFor(null, false).getUri().toString())
                .isEqualTo("https://bkt.s3.eu-west-1.amazonaws.com/gw/k");
        assertThat(requestFor(URI.create("http://localhost:9"), true).getUri().toString())
                .isEqualTo("http://localhost:9/bkt/gw/k");
    }

    /** The HTTP request the store would send for a HEAD, captured before it leaves. */
    private static SdkHttpRequest requestFor(URI endpoint, boolean pathStyle) {
        AtomicReference<SdkHttpRequest> seen = new AtomicReference<>();
        ExecutionInterceptor capture = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                seen.set(context.httpRequest());
                throw new IllegalStateException("captured; not sent");
            }
        };
        S3Settings s = new S3Settings(endpoint, "eu-west-1", "bkt", "gw", pathStyle,
                new S3Settings.Credentials.Static("AKIDCAPTURE", "secret", null), S3Settings.Encryption.NONE,
                S3Settings.ChecksumMode.WHEN_REQUIRED, Duration.ofSeconds(1), Duration.ofSeconds(2), 0, 2,
                5L << 20, 5L << 20, 1);
        try (S3ObjectStore st = new S3ObjectStore(s, List.of(capture), S3ObjectStore.SINGLE_COPY_LIMIT)) {
            assertThatThrownBy(() -> st.head("k")).hasMessageContaining("captured");
        }
        return seen.get();
    }
}
