package dev.stowage.core.store.s3;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import dev.stowage.core.store.AccessDeniedException;
import dev.stowage.core.store.ArchivedException;
import dev.stowage.core.store.ClockSkewException;
import dev.stowage.core.store.InvalidCredentialsException;
import dev.stowage.core.store.NoSuchBucketException;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PreconditionFailedException;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.ThrottledException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.WrongRegionException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place that turns what the AWS SDK throws ({@link AwsServiceException} for answers from the
 * service, {@code SdkClientException} for I/O and client-side failures, plus I/O errors) into the
 * gateway's typed {@link ObjectStoreException}s, with messages that tell an operator what to fix.
 *
 * <p>Messages name the endpoint, bucket, key, access key id and the service's error code, and never
 * a secret key, session token or SSE-C key. Stateless apart from its configuration; thread-safe.
 */
final class S3ErrorTranslator {

    /** What the store was doing, for messages: a verb and the permission it needs. */
    enum Op {
        PUT("write", "s3:PutObject"),
        MULTIPART("upload (multipart)", "s3:PutObject and s3:AbortMultipartUpload"),
        GET("read", "s3:GetObject"),
        HEAD("read the metadata of", "s3:GetObject"),
        LIST("list", "s3:ListBucket"),
        DELETE("delete", "s3:DeleteObject"),
        COPY("copy", "s3:GetObject on the source and s3:PutObject on the target"),
        RESTORE("restore", "s3:RestoreObject");

        final String verb;
        final String permission;

        Op(String verb, String permission) {
            this.verb = verb;
            this.permission = permission;
        }
    }

    private static final Pattern EXPECTING_REGION = Pattern.compile("expecting '([a-z0-9-]+)'");
    private static final Pattern XML_REGION = Pattern.compile("<Region>([a-z0-9-]+)</Region>");
    private static final Pattern XML_SERVER_TIME = Pattern.compile("<ServerTime>([^<]+)</ServerTime>");

    private final String endpoint;
    private final String bucket;
    private final String prefix;
    private final String region;
    private final String credentialSource;
    private final Supplier<Optional<String>> accessKeyId;

    /**
     * @param accessKeyId the access key id in use, if it can be found (for messages; never the secret)
     */
    S3ErrorTranslator(String endpoint, String bucket, String prefix, String region, String credentialSource,
                      Supplier<Optional<String>> accessKeyId) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.prefix = prefix;
        this.region = region;
        this.credentialSource = credentialSource;
        this.accessKeyId = accessKeyId;
    }

    /**
     * Translates a failure of {@code op} on {@code key} (relative key, or null for bucket-wide calls).
     * Restores the thread's interrupt flag if the call was interrupted.
     */
    ObjectStoreException translate(Throwable error, Op op, String key) {
        if (error instanceof ObjectStoreException already) {
            return already;
        }
        String where = where(key);
        MissingCredentialsHolder missing = findMissingCredentials(error);
        if (missing != null) {
            return new InvalidCredentialsException(InvalidCredentialsException.Reason.MISSING,
                    "no S3 credentials found in " + missing.source + " (" + missing.detail
                            + "): set access_key_id and secret_access_key in the configuration, "
                            + "or provide them through that source", error);
        }
        if (error instanceof AwsServiceException service) {
            return fromService(service, op, key, where);
        }
        return fromClientSide(error, op, where);
    }

    private ObjectStoreException fromService(AwsServiceException e, Op op, String key, String where) {
        int status = e.statusCode();
        AwsErrorDetails details = e.awsErrorDetails();
        String code = details == null || details.errorCode() == null ? "" : details.errorCode();
        String serverMessage = details == null || details.errorMessage() == null ? "" : details.errorMessage();
        String said = serverMessage.isBlank() ? "" : " The service said: " + serverMessage;
        String codeAndStatus = (code.isEmpty() ? "" : code + ", ") + "HTTP " + status;
        Integer tries = e.numAttempts();
        String attempts = tries != null && tries > 1 ? ", after " + tries + " attempts" : "";

        switch (code) {
            case "NoSuchKey":
                return new NotFoundException("no object " + where + " at " + endpoint, e);
            case "NoSuchBucket":
                return noSuchBucket(e);
            case "InvalidAccessKeyId":
                return new InvalidCredentialsException(InvalidCredentialsException.Reason.UNKNOWN_ACCESS_KEY,
                        "the access key id " + keyId() + " is not known to " + endpoint
                                + " (InvalidAccessKeyId): check access_key_id, and that the key was issued by "
                                + "this service", e);
            case "SignatureDoesNotMatch":
                return new InvalidCredentialsException(InvalidCredentialsException.Reason.SIGNATURE_MISMATCH,
                        "the secret key does not match the access key id " + keyId() + " at " + endpoint
                                + " (SignatureDoesNotMatch): check secret_access_key; if it is right, check that "
                                + "no proxy between the gateway and the store rewrites requests", e);
            case "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "RequestExpired":
                return new InvalidCredentialsException(InvalidCredentialsException.Reason.EXPIRED_TOKEN,
                        "the session token of access key id " + keyId() + " was rejected by " + endpoint
                                + " (" + code + "): refresh the temporary credentials or configure long-term keys",
                        e);
            case "AccessDenied", "AllAccessDisabled":
                return accessDenied(e, op, where, codeAndStatus, said);
            case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException",
                 "IncorrectEndpoint":
                return wrongRegion(e, code, serverMessage);
            case "RequestTimeTooSkewed":
                return clockSkew(e);
            case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
                 "TooManyRequestsException", "RequestThrottled", "SlowDownRead", "SlowDownWrite":
                return throttled(e, op, where, codeAndStatus, attempts);
            case "InvalidObjectState":
                if (op == Op.RESTORE) {
                    return new StoreFailureException(where + " is not in an archive storage class, so there is "
                            + "nothing to restore (InvalidObjectState): read it directly." + said, e);
                }
                return new ArchivedException(where + " is in an archive storage class and must be restored "
                        + "before it can be read (InvalidObjectState): request a restore and wait until it "
                        + "completes (hours for GLACIER, up to 48 hours for DEEP_ARCHIVE)", e);
            case "PreconditionFailed":
                return new PreconditionFailedException("the condition on the " + op.verb.replace("read the metadata of",
                        "read") + " of " + where + " did not hold (PreconditionFailed, HTTP 412): another writer "
                        + "created or changed the object; re-read it and decide again", e);
            case "ConditionalRequestConflict":
                return new PreconditionFailedException("a concurrent conditional write to " + where
                        + " is in progress (ConditionalRequestConflict, HTTP 409): re-read the object and decide "
                        + "again", e);
            case "NotImplemented":
                return new StoreFailureException(endpoint + " does not implement the request to " + op.verb + " "
                        + where + " (NotImplemented, HTTP 501): this S3-compatible service lacks a feature the "
                        + "gateway uses (conditional writes, restore, or the requested encryption)." + said, e);
            case "InvalidBucketName":
                return new NoSuchBucketException("the bucket name '" + bucket + "' is not valid at " + endpoint
                        + " (InvalidBucketName): fix bucket in the configuration." + said, e);
            case "NoSuchUpload":
                return new StoreFailureException("the multipart upload for " + where + " no longer exists at "
                        + endpoint + " (NoSuchUpload): it was aborted, possibly by a lifecycle rule; "
                        + "the upload has to start again", e);
            default:
                break;
        }
        // Answers without an error code (HEAD has no body) or with codes we do not list: go by status.
        if (status == 404) {
            return op == Op.LIST ? noSuchBucket(e) : new NotFoundException("no object " + where + " at " + endpoint, e);
        }
        if (status == 301 || status == 307) {
            return wrongRegion(e, code.isEmpty() ? "HTTP " + status : code, serverMessage);
        }
        if (status == 403) {
            return accessDenied(e, op, where, codeAndStatus, said);
        }
        if (status == 412) {
            return new PreconditionFailedException("the condition on " + where + " did not hold (" + codeAndStatus
                    + "): another writer created or changed the object; re-read it and decide again", e);
        }
        if (status == 429 || status == 503) {
            return throttled(e, op, where, codeAndStatus, attempts);
        }
        if (status >= 500) {
            return new UnavailableException(endpoint + " failed to " + op.verb + " " + where + " (" + codeAndStatus
                    + attempts + "): the service has a problem; the call can be retried later." + said, e);
        }
        return new StoreFailureException(endpoint + " refused to " + op.verb + " " + where + " (" + codeAndStatus
                + ")." + said, e);
    }

    private ObjectStoreException noSuchBucket(Throwable e) {
        return new NoSuchBucketException("bucket '" + bucket + "' does not exist at " + endpoint
                + " (NoSuchBucket): create it, or fix bucket (and endpoint) in the configuration", e);
    }

    private ObjectStoreException accessDenied(AwsServiceException e, Op op, String where, String codeAndStatus,
                                              String said) {
        String headNote = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
                ? " The answer carried no error code (as for HEAD requests), so the access key id or secret key "
                + "may also be wrong."
                : "";
        return new AccessDeniedException("access denied: access key id " + keyId() + " may not " + op.verb + " "
                + where + " at " + endpoint + " (" + codeAndStatus + "): grant " + op.permission
                + " in the bucket policy or the key's IAM policy, and check any SSE-KMS key policy." + headNote + said,
                e);
    }

    private ObjectStoreException wrongRegion(AwsServiceException e, String code, String serverMessage) {
        String right = bucketRegion(e, serverMessage);
        String msg = right != null
                ? "bucket '" + bucket + "' is in region '" + right + "', not in the configured region '" + region
                + "' (" + code + "): set region to " + right
                : "bucket '" + bucket + "' is not in the configured region '" + region + "' at " + endpoint + " ("
                + code + "), and the service did not say which region it is in: set region to the bucket's "
                + "region, or check endpoint";
        return new WrongRegionException(right, msg, e);
    }

    private static String bucketRegion(AwsServiceException e, String serverMessage) {
        if (e.awsErrorDetails() != null && e.awsErrorDetails().sdkHttpResponse() != null) {
            Optional<String> header = e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region");
            if (header.isPresent() && !header.get().isBlank()) {
                return header.get().trim();
            }
        }
        Matcher m = EXPECTING_REGION.matcher(serverMessage);
        if (m.find()) {
            return m.group(1);
        }
        String raw = rawBody(e);
        Matcher r = XML_REGION.matcher(raw);
        return r.find() ? r.group(1) : null;
    }

    private ObjectStoreException clockSkew(AwsServiceException e) {
        Matcher m = XML_SERVER_TIME.matcher(rawBody(e));
        String serverTime = m.find() ? m.group(1) : null;
        String skew = "";
        if (serverTime != null) {
            try {
                Duration d = Duration.between(Instant.parse(serverTime), Instant.now());
                skew = "; the gateway clock is " + Math.abs(d.toSeconds()) + " s "
                        + (d.isNegative() ? "behind" : "ahead of") + " the store's (server time " + serverTime + ")";
            } catch (RuntimeException ignored) {
                skew = "; server time " + serverTime;
            }
        }
        return new ClockSkewException("the gateway clock differs too much from the clock of " + endpoint
                + " (RequestTimeTooSkewed" + skew + "): fix the clock (enable NTP or chrony on the gateway host)", e);
    }

    private ObjectStoreException throttled(AwsServiceException e, Op op, String where, String codeAndStatus,
                                           String attempts) {
        return new ThrottledException(endpoint + " asks the gateway to slow down (" + codeAndStatus + attempts
                + ") while trying to " + op.verb + " " + where + ": lower upload parallelism or bandwidth, "
                + "or ask the provider for a higher request rate", e);
    }

    private ObjectStoreException fromClientSide(Throwable error, Op op, String where) {
        String action = op.verb + " " + where;
        List<Throwable> chain = chain(error);
        for (Throwable t : chain) {
            if (t instanceof AbortedException || t instanceof InterruptedException
                    || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException)
                    && !simpleName(t).equals("ConnectTimeoutException"))) {
                Thread.currentThread().interrupt();
                return new StoreFailureException("interrupted while trying to " + action, error);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof UnknownHostException) {
                return new UnavailableException("cannot resolve the host of endpoint " + endpoint + " ("
                        + t.getMessage() + "): check endpoint and the gateway's DNS settings", error);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                String what = lower(t.getMessage()).contains("refused") ? "connection refused" : t.getMessage();
                return new UnavailableException("cannot connect to " + endpoint + " (" + what + ") to " + action
                        + ": check that the service is running and that endpoint (host and port) is right", error);
            }
            if (simpleName(t).equals("ConnectTimeoutException")
                    || (t instanceof SocketTimeoutException && lower(t.getMessage()).contains("connect"))) {
                return new UnavailableException("connecting to " + endpoint + " timed out while trying to " + action
                        + ": check endpoint, firewalls and the network path to the store", error);
            }
            if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException
                    || t instanceof SocketTimeoutException) {
                return new UnavailableException(endpoint + " did not answer in time while the gateway tried to "
                        + action + " (" + t.getClass().getSimpleName() + "): the store or the network is slow or "
                        + "overloaded; raise request_timeout if this persists", error);
            }
            if (t instanceof SSLException) {
                return new StoreFailureException("TLS with " + endpoint + " failed while trying to " + action + " ("
                        + t.getMessage() + "): check the scheme (http/https) of endpoint and that the store's "
                        + "certificate is trusted by the gateway's Java trust store", error);
            }
            if (simpleName(t).equals("NoHttpResponseException") || t instanceof SocketException) {
                return new UnavailableException("the connection to " + endpoint + " broke while trying to " + action
                        + " (" + t.getMessage() + "): the store or something between closed it; the call can "
                        + "be retried", error);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof IOException) {
                return new UnavailableException("I/O error talking to " + endpoint + " while trying to " + action
                        + " (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")", error);
            }
        }
        String detail = error instanceof SdkException ? error.getMessage() : error.toString();
        return new StoreFailureException("failed to " + action + " at " + endpoint + ": " + detail, error);
    }

    private String where(String key) {
        return key == null ? "bucket '" + bucket + "'" : "s3://" + bucket + "/" + prefix + key;
    }

    private String keyId() {
        try {
            return accessKeyId.get().map(k -> "'" + k + "'").orElse("(from " + credentialSource + ")");
        } catch (RuntimeException e) {
            return "(from " + credentialSource + ")";
        }
    }

    private static String rawBody(AwsServiceException e) {
        if (e.awsErrorDetails() == null || e.awsErrorDetails().rawResponse() == null) {
            return "";
        }
        return new String(e.awsErrorDetails().rawResponse().asByteArrayUnsafe(), StandardCharsets.UTF_8);
    }

    private record MissingCredentialsHolder(String source, String detail) {
    }

    private static MissingCredentialsHolder findMissingCredentials(Throwable error) {
        for (Throwable t : chain(error)) {
            if (t instanceof S3ClientFactory.MissingCredentialsException m) {
                Throwable cause = m.getCause();
                String detail = cause == null || cause.getMessage() == null ? "none found" : cause.getMessage();
                return new MissingCredentialsHolder(m.source(), firstSentence(detail));
            }
        }
        return null;
    }

    private static String firstSentence(String s) {
        int dot = s.indexOf(". ");
        String first = dot > 0 ? s.substring(0, dot) : s;
        return first.length() > 300 ? first.substring(0, 300) + "..." : first;
    }

    private static List<Throwable> chain(Throwable error) {
        var out = new java.util.ArrayList<Throwable>();
        for (Throwable t = error; t != null && out.size() < 16 && !out.contains(t); t = t.getCause()) {
            out.add(t);
        }
        return out;
    }

    private static String simpleName(Throwable t) {
        return t.getClass().getSimpleName();
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
