package dev.stowage.core.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stowage.core.store.AccessDeniedException;
import dev.stowage.core.store.ArchivedException;
import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.ClockSkewException;
import dev.stowage.core.store.InvalidCredentialsException;
import dev.stowage.core.store.NoSuchBucketException;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PreconditionFailedException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.ThrottledException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.WrongRegionException;
import dev.stowage.core.store.s3.S3StubServer.Response;

/**
 * Each S3 failure an operator meets becomes the right typed exception with a message that says what
 * to fix, and never shows a secret. Canned answers come from {@link S3StubServer}; network failures
 * are real (closed port, a server that hangs up, one that does not answer).
 */
class S3ErrorTranslationTest {
    static final String ACCESS_KEY = "AKIDSTUBEXAMPLE";
    static final String SECRET = "stub-secret-must-never-be-printed";

    private S3StubServer stub;
    private S3ObjectStore store;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        stub = new S3StubServer();
        store = new S3ObjectStore(settings(stub.endpoint(), 0));
    }

    @AfterEach
    void stop() {
        store.close();
        stub.close();
    }

    static S3Settings settings(URI endpoint, int retries) {
        return new S3Settings(endpoint, "us-east-1", "bkt", "gw/", true,
                new S3Settings.Credentials.Static(ACCESS_KEY, SECRET, "session-token-secret-too"),
                S3Settings.Encryption.NONE, S3Settings.ChecksumMode.WHEN_REQUIRED, Duration.ofSeconds(2),
                Duration.ofSeconds(5), retries, 8, 5L << 20, 5L << 20, 2);
    }

    /** Asserts the type and that the message shows no secret; returns the exception for more checks. */
    private static <T extends ObjectStoreException> T thrown(Class<T> type, Runnable call) {
        try {
            call.run();
        } catch (ObjectStoreException e) {
            assertThat(e).isInstanceOf(type);
            assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("session-token-secret-too");
            return type.cast(e);
        }
        throw new AssertionError("expected " + type.getSimpleName());
    }

    @Test
    void noSuchKeyIsNotFound() {
        stub.answer(Response.error(404, "NoSuchKey", "The specified key does not exist."));
        NotFoundException e = thrown(NotFoundException.class, () -> store.get("a/b"));
        assertThat(e.getMessage()).contains("s3://bkt/gw/a/b").contains(stub.endpoint().toString());
    }

    @Test
    void headOf404WithoutBodyIsNotFound() {
        stub.answer(Response.of(404, null));
        thrown(NotFoundException.class, () -> store.head("missing"));
        assertThat(store.find("missing")).isEmpty();
    }

    @Test
    void accessDeniedNamesTheKeyAndThePermissionToGrant() {
        stub.answer(Response.error(403, "AccessDenied", "Access Denied"));
        AccessDeniedException e = thrown(AccessDeniedException.class, () -> store.put("k", new byte[1], PutOptions.DEFAULT));
        assertThat(e.getMessage()).contains("access key id '" + ACCESS_KEY + "'").contains("s3://bkt/gw/k")
                .contains("grant s3:PutObject").contains(stub.endpoint().toString());
        assertThat(e.retryable()).isFalse();

        AccessDeniedException list = thrown(AccessDeniedException.class, () -> store.list("", null, 5));
        assertThat(list.getMessage()).contains("s3:ListBucket");
    }

    @Test
    void headOf403WithoutBodySaysTheCredentialsMayAlsoBeWrong() {
        stub.answer(Response.of(403, null));
        AccessDeniedException e = thrown(AccessDeniedException.class, () -> store.head("k"));
        assertThat(e.getMessage()).contains("s3:GetObject").contains("secret key may also be wrong");
    }

    @Test
    void noSuchBucketSaysToCreateItOrFixTheName() {
        stub.answer(Response.error(404, "NoSuchBucket", "The specified bucket does not exist"));
        NoSuchBucketException e = thrown(NoSuchBucketException.class, () -> store.list("", null, 10));
        assertThat(e.getMessage()).contains("bucket 'bkt' does not exist at " + stub.endpoint())
                .contains("create it, or fix bucket");
    }

    @Test
    void invalidAccessKeyIdNamesTheKeyAndTheSetting() {
        stub.answer(Response.error(403, "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records."));
        InvalidCredentialsException e = thrown(InvalidCredentialsException.class, () -> store.get("k"));
        assertThat(e.reason()).isEqualTo(InvalidCredentialsException.Reason.UNKNOWN_ACCESS_KEY);
        assertThat(e.getMessage()).contains("the access key id '" + ACCESS_KEY + "' is not known to "
                + stub.endpoint()).contains("check access_key_id");
    }

    @Test
    void signatureMismatchPointsAtTheSecretKey() {
        stub.answer(Response.error(403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided."));
        InvalidCredentialsException e = thrown(InvalidCredentialsException.class, () -> store.get("k"));
        assertThat(e.reason()).isEqualTo(InvalidCredentialsException.Reason.SIGNATURE_MISMATCH);
        assertThat(e.getMessage()).contains("the secret key does not match the access key id '" + ACCESS_KEY + "'")
                .contains("check secret_access_key");
    }

    @Test
    void expiredTokenAsksForFreshCredentials() {
        stub.answer(Response.error(400, "ExpiredToken", "The provided token has expired."));
        InvalidCredentialsException e = thrown(InvalidCredentialsException.class, () -> store.get("k"));
        assertThat(e.reason()).isEqualTo(InvalidCredentialsException.Reason.EXPIRED_TOKEN);
        assertThat(e.getMessage()).contains("refresh the temporary credentials");
    }

    @Test
    void permanentRedirectNamesTheBucketsRegion() {
        stub.answer(Response.error(301, "PermanentRedirect", "The bucket you are attempting to access must be "
                + "addressed using the specified endpoint.").withHeader("x-amz-bucket-region", "eu-west-1"));
        WrongRegionException e = thrown(WrongRegionException.class, () -> store.get("k"));
        assertThat(e.bucketRegion()).isEqualTo("eu-west-1");
        assertThat(e.getMessage()).contains("bucket 'bkt' is in region 'eu-west-1', not in the configured region "
                + "'us-east-1'").contains("set region to eu-west-1");
    }

    @Test
    void headRedirectWithoutBodyStillNamesTheRegion() {
        stub.answer(Response.of(301, null).withHeader("x-amz-bucket-region", "ap-southeast-2"));
        WrongRegionException e = thrown(WrongRegionException.class, () -> store.head("k"));
        assertThat(e.bucketRegion()).isEqualTo("ap-southeast-2");
        assertThat(e.getMessage()).contains("set region to ap-southeast-2");
    }

    @Test
    void authorizationHeaderMalformedNamesTheExpectedRegion() {
        stub.answer(Response.error(400, "AuthorizationHeaderMalformed",
                "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'"));
        WrongRegionException e = thrown(WrongRegionException.class, () -> store.put("k", new byte[3], PutOptions.DEFAULT));
        assertThat(e.bucketRegion()).isEqualTo("eu-central-1");
        assertThat(e.getMessage()).contains("set region to eu-central-1");
    }

    @Test
    void clockSkewSaysToFixTheClock() {
        Instant serverTime = Instant.now().plus(Duration.ofHours(1));
        stub.answer(Response.of(403, "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the "
                + "request time and the current time is too large.</Message><RequestTime>20260101T000000Z"
                + "</RequestTime><ServerTime>" + serverTime + "</ServerTime><MaxAllowedSkewMilliseconds>900000"
                + "</MaxAllowedSkewMilliseconds></Error>"));
        ClockSkewException e = thrown(ClockSkewException.class, () -> store.get("k"));
        assertThat(e.getMessage()).contains("fix the clock").contains("NTP").contains("behind");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void slowDownIsThrottledAfterTheConfiguredRetries() {
        try (S3ObjectStore retrying = new S3ObjectStore(settings(stub.endpoint(), 2))) {
            stub.answer(Response.error(503, "SlowDown", "Please reduce your request rate."));
            ThrottledException e = thrown(ThrottledException.class, () -> retrying.put("k", new byte[1], PutOptions.DEFAULT));
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).contains("slow down").contains("SlowDown").contains("after 3 attempts");
            assertThat(stub.requests()).hasSize(3); // first try + maxRetries
        }
    }

    @Test
    void tooManyRequestsIsThrottled() {
        stub.answer(Response.of(429, null));
        thrown(ThrottledException.class, () -> store.head("k"));
    }

    @Test
    void serverErrorsAreUnavailableAndRetried() {
        try (S3ObjectStore retrying = new S3ObjectStore(settings(stub.endpoint(), 1))) {
            stub.answer(Response.error(500, "InternalError", "We encountered an internal error. Please try again."));
            UnavailableException e = thrown(UnavailableException.class, () -> retrying.get("k"));
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).contains("InternalError").contains("HTTP 500");
            assertThat(stub.requests()).hasSize(2);
        }
    }

    @Test
    void aTransientErrorFollowedBySuccessIsInvisibleToTheCaller() {
        try (S3ObjectStore retrying = new S3ObjectStore(settings(stub.endpoint(), 2))) {
            stub.answer(r -> stub.requests().size() == 1 ? Response.error(503, "SlowDown", "slow")
                    : new Response(200, java.util.Map.of("ETag", "\"abc\""), "hi".getBytes(), Duration.ZERO));
            assertThat(retrying.get("k")).isEqualTo("hi".getBytes());
            assertThat(stub.requests()).hasSize(2);
        }
    }

    @Test
    void invalidObjectStateOnReadIsArchived() {
        stub.answer(Response.error(403, "InvalidObjectState", "The operation is not valid for the object's storage class"));
        ArchivedException e = thrown(ArchivedException.class, () -> store.get("tape/1", ByteRange.of(0, 10)));
        assertThat(e.getMessage()).contains("s3://bkt/gw/tape/1").contains("must be restored");
    }

    @Test
    void preconditionFailedAndConditionalConflictArePreconditionFailures() {
        stub.answer(Response.error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"));
        PreconditionFailedException e = thrown(PreconditionFailedException.class,
                () -> store.put("k", new byte[1], PutOptions.builder().ifNoneMatch().build()));
        assertThat(e.getMessage()).contains("s3://bkt/gw/k").contains("did not hold");

        stub.answer(Response.error(409, "ConditionalRequestConflict", "A conflicting operation occurred."));
        PreconditionFailedException c = thrown(PreconditionFailedException.class,
                () -> store.put("k", new byte[1], PutOptions.builder().ifMatch("abc").build()));
        assertThat(c.getMessage()).contains("concurrent conditional write");
    }

    @Test
    void notImplementedSaysTheServiceLacksTheFeature() {
        stub.answer(Response.error(501, "NotImplemented", "A header you provided implies functionality that is not implemented"));
        StoreFailureException e = thrown(StoreFailureException.class,
                () -> store.put("k", new byte[1], PutOptions.builder().ifNoneMatch().build()));
        assertThat(e.getMessage()).contains("does not implement").contains("conditional writes");
    }

    @Test
    void otherErrorsKeepTheServiceCodeAndMessage() {
        stub.answer(Response.error(400, "InvalidArgument", "Invalid argument x-amz-foo"));
        StoreFailureException e = thrown(StoreFailureException.class, () -> store.get("k"));
        assertThat(e.getMessage()).contains("InvalidArgument").contains("HTTP 400").contains("Invalid argument x-amz-foo");
    }

    @Test
    void connectionRefusedNamesTheEndpoint() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port);
        try (S3ObjectStore unreachable = new S3ObjectStore(settings(closed, 1))) {
            UnavailableException e = thrown(UnavailableException.class, () -> unreachable.get("k"));
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).contains("cannot connect to " + closed).contains("connection refused")
                    .contains("endpoint (host and port)");
        }
    }

    @Test
    void aServerThatHangsUpIsUnavailable() throws Exception {
        // Closing order matters: the socket closes first, which ends the acceptor's accept().
        try (ExecutorService acceptor = Executors.newSingleThreadExecutor();
             ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            acceptor.submit(() -> {
                while (!s.isClosed()) {
                    try (Socket c = s.accept()) {
                        c.getInputStream().read(new byte[512]); // read a bit of the request, then hang up
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            URI endpoint = URI.create("http://127.0.0.1:" + s.getLocalPort());
            try (S3ObjectStore hangsUp = new S3ObjectStore(settings(endpoint, 0))) {
                UnavailableException e = thrown(UnavailableException.class, () -> hangsUp.get("k"));
                assertThat(e.getMessage()).contains(endpoint.toString()).contains("broke");
            }
        }
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsUnavailable() {
        S3Settings quick = settings(stub.endpoint(), 0).withRetries(0, Duration.ofMillis(300));
        stub.answer(Response.ok().withDelay(Duration.ofSeconds(2)));
        try (S3ObjectStore impatient = new S3ObjectStore(quick)) {
            UnavailableException e = thrown(UnavailableException.class, () -> impatient.get("k"));
            assertThat(e.getMessage()).contains("did not answer in time").contains("request_timeout");
        }
    }

    @Test
    void anUnresolvableHostSaysToCheckTheEndpoint() {
        URI nowhere = URI.create("http://stowage-no-such-host.invalid:9000");
        try (S3ObjectStore lost = new S3ObjectStore(settings(nowhere, 0))) {
            UnavailableException e = thrown(UnavailableException.class, () -> lost.head("k"));
            assertThat(e.getMessage()).contains("cannot resolve the host of endpoint " + nowhere);
        }
    }

    @Test
    void missingCredentialsNameTheSourceThatWasTried(@TempDir Path home) {
        String oldCreds = System.getProperty("aws.sharedCredentialsFile");
        String oldConfig = System.getProperty("aws.configFile");
        System.setProperty("aws.sharedCredentialsFile", home.resolve("credentials").toString());
        System.setProperty("aws.configFile", home.resolve("config").toString());
        try {
            S3Settings s = new S3Settings(stub.endpoint(), "us-east-1", "bkt", "", true,
                    new S3Settings.Credentials.Profile("stowage-no-such-profile"), S3Settings.Encryption.NONE,
                    S3Settings.ChecksumMode.WHEN_REQUIRED, Duration.ofSeconds(2), Duration.ofSeconds(5), 0, 4,
                    5L << 20, 5L << 20, 2);
            try (S3ObjectStore noCreds = new S3ObjectStore(s)) {
                InvalidCredentialsException e = thrown(InvalidCredentialsException.class, () -> noCreds.get("k"));
                assertThat(e.reason()).isEqualTo(InvalidCredentialsException.Reason.MISSING);
                assertThat(e.getMessage()).contains("no S3 credentials found")
                        .contains("profile 'stowage-no-such-profile'").contains("access_key_id");
            }
            assertThat(stub.requests()).isEmpty();
        } finally {
            restore("aws.sharedCredentialsFile", oldCreds);
            restore("aws.configFile", oldConfig);
        }
    }

    @Test
    void restoreOfAnObjectThatIsNotArchivedSaysThereIsNothingToRestore() {
        stub.answer(Response.error(403, "InvalidObjectState", "Restore is not allowed for the object's current storage class"));
        StoreFailureException e = thrown(StoreFailureException.class, () -> store.requestRestore("k", 1, RestoreTier.BULK));
        assertThat(e.getMessage()).contains("not in an archive storage class").contains("nothing to restore");
    }

    @Test
    void malformedEndpointIsRejectedAtConstruction() {
        assertThatThrownBy(() -> new S3ObjectStore(settings(URI.create("s3.example.com:9000"), 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http:// or https://");
    }

    private static void restore(String property, String old) {
        if (old == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, old);
        }
    }
}
