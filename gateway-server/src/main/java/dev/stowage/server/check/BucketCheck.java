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

    /** The store's message already says what is wrong and what to change; this adds which bucket and endpoint. */
    private BucketCheckException translate(ObjectStoreException e, String step) {
        String detail = e.getMessage() == null || e.getMessage().isBlank()
                ? e.getClass().getSimpleName() + " while trying to " + step : e.getMessage();
        BucketCheckException.Kind kind = switch (e) {
            case AccessDeniedException a -> BucketCheckException.Kind.ACCESS_DENIED;
            case NoSuchBucketException n -> BucketCheckException.Kind.NO_SUCH_BUCKET;
            case InvalidCredentialsException c -> switch (c.reason()) {
                case UNKNOWN_ACCESS_KEY -> BucketCheckException.Kind.UNKNOWN_ACCESS_KEY;
                case SIGNATURE_MISMATCH -> BucketCheckException.Kind.SIGNATURE_MISMATCH;
                case EXPIRED_TOKEN -> BucketCheckException.Kind.EXPIRED_TOKEN;
                case MISSING -> BucketCheckException.Kind.MISSING_CREDENTIALS;
            };
            case WrongRegionException w -> BucketCheckException.Kind.WRONG_REGION;
            case ClockSkewException s -> BucketCheckException.Kind.CLOCK_SKEW;
            case UnavailableException u -> BucketCheckException.Kind.UNREACHABLE;
            case ThrottledException t -> BucketCheckException.Kind.THROTTLED;
            default -> BucketCheckException.Kind.OTHER;
        };
        return fail(kind, detail, null, e);
    }

    private BucketCheckException fail(BucketCheckException.Kind kind, String problem, String fix, Throwable cause) {
        String line = "S3 check failed for bucket " + bucket + " at endpoint " + endpoint + ": " + problem
                + (fix == null ? "" : "; " + fix);
        return new BucketCheckException(kind, line.replace('\n', ' ').replace('\r', ' '), cause);
    }
}
