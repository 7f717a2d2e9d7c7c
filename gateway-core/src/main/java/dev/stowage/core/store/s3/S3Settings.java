package dev.stowage.core.store.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything needed to talk to one bucket on an S3-compatible service. Immutable; carries secrets,
 * so {@link #toString()} redacts them.
 *
 * @param endpoint          service URL (https://s3.example.com:9000), or null for AWS S3 in {@code region}
 * @param region            signing region (us-east-1 for most S3-compatible services)
 * @param bucket            bucket name
 * @param prefix            key prefix for everything the gateway writes ("" or ending in "/")
 * @param pathStyle         true for path-style URLs (MinIO, Ceph, S3Proxy), false for virtual-hosted
 * @param credentials       where the access key comes from
 * @param encryption        server-side encryption mode for every object written
 * @param checksums         when the SDK computes and validates request/response checksums
 * @param connectTimeout    TCP connect timeout
 * @param requestTimeout    time limit for one HTTP attempt
 * @param maxRetries        retries after the first attempt, with exponential backoff and jitter
 * @param maxConnections    HTTP connection pool size (at least the upload parallelism)
 * @param multipartThreshold objects at least this large go up as multipart uploads
 * @param partSize          multipart part size (at least 5 MiB, as S3 requires)
 * @param uploadParallelism parts of one multipart upload sent at once
 */
public record S3Settings(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
                         Credentials credentials, Encryption encryption, ChecksumMode checksums,
                         Duration connectTimeout, Duration requestTimeout, int maxRetries, int maxConnections,
                         long multipartThreshold, long partSize, int uploadParallelism) {

    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    public S3Settings {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(checksums, "checksums");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        prefix = prefix == null ? "" : prefix;
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be at least 5 MiB (S3's minimum), got " + partSize);
        }
        if (multipartThreshold < partSize) {
            throw new IllegalArgumentException("multipartThreshold must be at least partSize");
        }
        if (uploadParallelism < 1 || maxConnections < 1 || maxRetries < 0) {
            throw new IllegalArgumentException("uploadParallelism and maxConnections must be >= 1, maxRetries >= 0");
        }
    }

    /** Settings with sensible defaults for a bucket on a given endpoint, path-style, checksums only when required. */
    public static S3Settings of(URI endpoint, String region, String bucket, Credentials credentials) {
        return new S3Settings(endpoint, region, bucket, "", endpoint != null, credentials, Encryption.NONE,
                ChecksumMode.WHEN_REQUIRED, Duration.ofSeconds(10), Duration.ofSeconds(60), 5, 64,
                64L * 1024 * 1024, 16L * 1024 * 1024, 8);
    }

    public S3Settings withPrefix(String p) {
        return new S3Settings(endpoint, region, bucket, p, pathStyle, credentials, encryption, checksums,
                connectTimeout, requestTimeout, maxRetries, maxConnections, multipartThreshold, partSize,
                uploadParallelism);
    }

    public S3Settings withRetries(int retries, Duration requestTimeout) {
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, encryption, checksums,
                connectTimeout, requestTimeout, retries, maxConnections, multipartThreshold, partSize,
                uploadParallelism);
    }

    public S3Settings withEncryption(Encryption e) {
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, e, checksums,
                connectTimeout, requestTimeout, maxRetries, maxConnections, multipartThreshold, partSize,
                uploadParallelism);
    }

    public S3Settings withMultipart(long threshold, long part, int parallelism) {
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, encryption, checksums,
                connectTimeout, requestTimeout, maxRetries, maxConnections, threshold, part, parallelism);
    }

    /** Where the access key comes from. */
    public sealed interface Credentials {
        /** Keys given in the configuration. */
        record Static(String accessKeyId, String secretAccessKey, String sessionToken) implements Credentials {
            public Static {
                Objects.requireNonNull(accessKeyId, "accessKeyId");
                Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            }

            @Override
            public String toString() {
                return "Static[accessKeyId=" + accessKeyId + ", secretAccessKey=****"
                        + (sessionToken == null ? "" : ", sessionToken=****") + "]";
            }
        }

        /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. */
        record Environment() implements Credentials {
        }

        /** A named profile of ~/.aws/credentials and ~/.aws/config. */
        record Profile(String name) implements Credentials {
        }

        /** The SDK's default chain: environment, system properties, profile, container, instance metadata. */
        record DefaultChain() implements Credentials {
        }
    }

    /** Server-side encryption applied to every object written. */
    public sealed interface Encryption {
        Encryption NONE = new None();

        record None() implements Encryption {
        }

        /** SSE-S3: AES256 with keys the store manages. */
        record S3Managed() implements Encryption {
        }

        /** SSE-KMS with the given key id or ARN (null for the account's default key). */
        record Kms(String keyId) implements Encryption {
        }

        /** SSE-C: the gateway supplies a 256-bit key with every request. */
        record CustomerKey(byte[] key) implements Encryption {
            public CustomerKey {
                if (key == null || key.length != 32) {
                    throw new IllegalArgumentException("SSE-C key must be 32 bytes (256 bits)");
                }
                key = key.clone();
            }

            @Override
            public byte[] key() {
                return key.clone();
            }

            @Override
            public String toString() {
                return "CustomerKey[****]";
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof CustomerKey c && java.util.Arrays.equals(key, c.key);
            }

            @Override
            public int hashCode() {
                return java.util.Arrays.hashCode(key);
            }
        }
    }

    /** When the SDK adds and checks CRC checksums. Many S3-compatible servers reject WHEN_SUPPORTED. */
    public enum ChecksumMode {
        WHEN_REQUIRED, WHEN_SUPPORTED
    }
}
