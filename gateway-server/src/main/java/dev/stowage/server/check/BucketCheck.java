package dev.stowage.server.check;

import dev.stowage.core.store.AccessDeniedException;
import dev.stowage.core.store.ClockSkewException;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.InvalidCredentialsException;
import dev.stowage.core.store.NoSuchBucketException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.ThrottledException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.WrongRegionException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Proves at start-up that the gateway can use its bucket, using only the {@link ObjectStore}
 * contract: list one key under the prefix, then write, read back and delete a small probe object
 * under {@code <prefix>.stowage/probe-<random>}. Failures become a {@link BucketCheckException}
 * whose one-line message names the bucket, the endpoint, the problem and the fix.
 *
 * <p>Thread-safe (no mutable state besides the random source, which is thread-safe).
 */
public final class BucketCheck {

    /** Where probe objects go, relative to the store's prefix. */
    public static final String PROBE_PREFIX = ".stowage/probe-";

    private final ObjectStore store;
    private final String bucket;
    private final String endpoint;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param store    the store to check (already configured with bucket and prefix)
     * @param bucket   bucket name, for messages
     * @param endpoint endpoint URL or "AWS S3 (region)", for messages
     */
    public BucketCheck(ObjectStore store, String bucket, String endpoint) {
        this.store = store;
        this.bucket = bucket;
        this.endpoint = endpoint;
    }

    /** The full start-up check: list, put, get, compare, delete. */
    public void check() throws BucketCheckException {
        String step = "list";
        try {
            store.list("", null, 1);
            byte[] token = new byte[16];
            random.nextBytes(token);
            String key = PROBE_PREFIX + HexFormat.of().formatHex(token);
            byte[] body = ("stowage probe " + HexFormat.of().formatHex(token) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            step = "write";
            store.put(key, body, PutOptions.DEFAULT);
            step = "read";
            byte[] back = store.get(key);
            step = "delete";
            DeleteResult deleted = store.delete(List.of(key));
            if (!Arrays.equals(body, back)) {
                throw fail(BucketCheckException.Kind.PROBE_MISMATCH, "the probe object read back differs from what was written",
                        "the store or a proxy in front of it changes data; check its configuration", null);
            }
            if (!deleted.allDeleted()) {
                throw fail(BucketCheckException.Kind.ACCESS_DENIED, "the probe object " + key + " could not be deleted ("
                        + deleted.failed().get(key) + ")", "grant s3:DeleteObject on the bucket and prefix", null);
            }
        } catch (ObjectStoreException e) {
            throw translate(e, step);
        }
    }

    /** The light runtime check: list one key (no writes). */
    public void quickCheck() throws BucketCheckException {
        try {
            store.list("", null, 1);
        } catch (ObjectStoreException e) {
            throw translate(e, "list");
        }
    }

    private BucketCheckException translate(ObjectStoreException e, String step) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return switch (e) {
            case AccessDeniedException a -> fail(BucketCheckException.Kind.ACCESS_DENIED,
                    "access denied when trying to " + step + " (" + detail + ")",
                    "grant these credentials s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket and prefix", e);
            case NoSuchBucketException n -> fail(BucketCheckException.Kind.NO_SUCH_BUCKET,
                    "the bucket does not exist (" + detail + ")", "create it, or fix s3.bucket", e);
            case InvalidCredentialsException c -> switch (c.reason()) {
                case UNKNOWN_ACCESS_KEY -> fail(BucketCheckException.Kind.UNKNOWN_ACCESS_KEY,
                        "the access key id is not known to this endpoint (" + detail + ")",
                        "check s3.credentials.access_key_id (and that s3.endpoint is the right service)", e);
                case SIGNATURE_MISMATCH -> fail(BucketCheckException.Kind.SIGNATURE_MISMATCH,
                        "the secret access key does not match the access key id (" + detail + ")",
                        "check s3.credentials.secret_access_key", e);
                case EXPIRED_TOKEN -> fail(BucketCheckException.Kind.EXPIRED_TOKEN,
                        "the session token is expired or invalid (" + detail + ")",
                        "renew the temporary credentials, or use long-term keys", e);
                case MISSING -> fail(BucketCheckException.Kind.MISSING_CREDENTIALS,
                        "no credentials were found (" + detail + ")",
                        "set s3.credentials (type static with access_key_id and secret_access_key, or a profile)", e);
            };
            case WrongRegionException w -> fail(BucketCheckException.Kind.WRONG_REGION,
                    "the bucket is in another region" + (w.bucketRegion() == null ? "" : " (" + w.bucketRegion() + ")")
                            + " than the configured one (" + detail + ")",
                    w.bucketRegion() == null ? "set s3.region to the bucket's region" : "set s3.region: " + w.bucketRegion(), e);
            case ClockSkewException s -> fail(BucketCheckException.Kind.CLOCK_SKEW,
                    "this machine's clock differs too much from the store's (" + detail + ")",
                    "synchronise the clock (enable NTP, e.g. timedatectl set-ntp true)", e);
            case UnavailableException u -> fail(BucketCheckException.Kind.UNREACHABLE,
                    "the endpoint cannot be reached or failed (" + detail + ")",
                    "check s3.endpoint, DNS, proxies and firewalls, and that the service is up", e);
            case ThrottledException t -> fail(BucketCheckException.Kind.THROTTLED,
                    "the store is throttling requests (" + detail + ")", "try again later, or lower the load on the bucket", e);
            default -> fail(BucketCheckException.Kind.OTHER, "the store refused to " + step + " (" + detail + ")",
                    "see the store's error code above", e);
        };
    }

    private BucketCheckException fail(BucketCheckException.Kind kind, String problem, String fix, Throwable cause) {
        String line = "S3 check failed for bucket " + bucket + " at endpoint " + endpoint + ": " + problem + "; " + fix;
        return new BucketCheckException(kind, line.replace('\n', ' ').replace('\r', ' '), cause);
    }
}
