package dev.stowage.core.store.s3;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Builds the AWS SDK v2 {@link S3Client} for one {@link S3Settings}: endpoint override, region,
 * path-style or virtual-hosted addressing, credentials, the Apache HttpClient 5 client with a connection
 * pool of {@code maxConnections}, timeouts, retries with exponential backoff and full jitter, and
 * checksums that third-party S3 servers accept.
 *
 * <p>Stateless; {@link #build} may be called from any thread. It fails with
 * {@link IllegalArgumentException} for settings the SDK cannot use (e.g. a malformed endpoint).
 */
final class S3ClientFactory {

    /** First retry waits up to this long (full jitter: a random time between 0 and the cap). */
    static final Duration BASE_DELAY = Duration.ofMillis(100);
    /** Throttling answers (SlowDown, 429) back off from a larger base. */
    static final Duration THROTTLING_BASE_DELAY = Duration.ofMillis(500);
    /** No single backoff waits longer than this. */
    static final Duration MAX_DELAY = Duration.ofSeconds(20);
    /** Transfers are allowed to run at least this slowly before their attempt times out (bytes per second). */
    static final long MIN_TRANSFER_RATE = 64 * 1024;
    /** Attempt limit for reads whose size is not known up front; stalls are caught by the socket timeout. */
    static final Duration UNKNOWN_SIZE_TRANSFER_LIMIT = Duration.ofHours(1);

    private S3ClientFactory() {
    }

    static S3Client build(S3Settings settings, AwsCredentialsProvider credentials) {
        return build(settings, credentials, List.of());
    }

    /** As {@link #build(S3Settings, AwsCredentialsProvider)}, with extra interceptors (tests inject faults with them). */
    static S3Client build(S3Settings settings, AwsCredentialsProvider credentials,
                          List<ExecutionInterceptor> interceptors) {
        Apache5HttpClient.Builder http = Apache5HttpClient.builder()
                .maxConnections(settings.maxConnections())
                .connectionTimeout(settings.connectTimeout())
                .socketTimeout(settings.requestTimeout())
                .connectionAcquisitionTimeout(settings.requestTimeout())
                .tcpKeepAlive(true)
                .useIdleConnectionReaper(true);

        boolean whenRequired = settings.checksums() == S3Settings.ChecksumMode.WHEN_REQUIRED;
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials)
                .httpClientBuilder(http)
                // Plain bodies with Content-MD5 instead of aws-chunked streaming signatures, which
                // several S3-compatible servers and proxies mishandle.
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(whenRequired ? RequestChecksumCalculation.WHEN_REQUIRED
                        : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(whenRequired ? ResponseChecksumValidation.WHEN_REQUIRED
                        : ResponseChecksumValidation.WHEN_SUPPORTED)
                .overrideConfiguration(o -> {
                    o.retryStrategy(retryStrategy(settings.maxRetries()));
                    o.apiCallAttemptTimeout(settings.requestTimeout());
                    interceptors.forEach(o::addExecutionInterceptor);
                });
        if (whenRequired) {
            // DeleteObjects requires a checksum; without the SDK's CRC default, send Content-MD5 as
            // every S3-compatible server understands it.
            builder.addPlugin(LegacyMd5Plugin.create());
        }
        if (settings.endpoint() != null) {
            builder.endpointOverride(checkEndpoint(settings.endpoint()));
        }
        return builder.build();
    }

    /**
     * Time limit for one attempt that moves {@code bytes} of payload: the request timeout plus the time
     * the payload takes at {@link #MIN_TRANSFER_RATE}, so slow links do not cut off large parts, while
     * a connection on which nothing moves still fails after {@code requestTimeout} (socket timeout).
     * A negative size means unknown.
     */
    static AwsRequestOverrideConfiguration transferTimeout(S3Settings settings, long bytes) {
        Duration limit = bytes < 0 ? UNKNOWN_SIZE_TRANSFER_LIMIT
                : settings.requestTimeout().plusSeconds(bytes / MIN_TRANSFER_RATE);
        return AwsRequestOverrideConfiguration.builder().apiCallAttemptTimeout(limit).build();
    }

    /** Standard retry strategy: retries transient errors (I/O, 5xx, throttling) {@code maxRetries} times. */
    static RetryStrategy retryStrategy(int maxRetries) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(maxRetries + 1)
                .backoffStrategy(BackoffStrategy.exponentialDelay(BASE_DELAY, MAX_DELAY))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(THROTTLING_BASE_DELAY, MAX_DELAY))
                // The gateway has its own upload queue with back-pressure: a client-wide retry quota
                // would turn a burst of errors into immediate failures of unrelated calls.
                .circuitBreakerEnabled(false)
                .build();
    }

    /**
     * The credentials provider for the configured source. Failures to find credentials surface as
     * {@link MissingCredentialsException} so the error translator can name the source.
     */
    static AwsCredentialsProvider credentials(S3Settings.Credentials source) {
        AwsCredentialsProvider provider = switch (source) {
            case S3Settings.Credentials.Static s -> StaticCredentialsProvider.create(s.sessionToken() == null
                    ? AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey())
                    : AwsSessionCredentials.create(s.accessKeyId(), s.secretAccessKey(), s.sessionToken()));
            case S3Settings.Credentials.Environment e -> EnvironmentVariableCredentialsProvider.create();
            case S3Settings.Credentials.Profile p -> ProfileCredentialsProvider.create(p.name());
            case S3Settings.Credentials.DefaultChain d -> DefaultCredentialsProvider.builder().build();
        };
        return new CheckedProvider(provider, describe(source));
    }

    /** Where credentials come from, in words for error messages (never the keys themselves). */
    static String describe(S3Settings.Credentials source) {
        return switch (source) {
            case S3Settings.Credentials.Static s -> "the access key configured for the store";
            case S3Settings.Credentials.Environment e ->
                    "the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
            case S3Settings.Credentials.Profile p -> "the profile '" + p.name()
                    + "' in ~/.aws/credentials or ~/.aws/config";
            case S3Settings.Credentials.DefaultChain d -> "the AWS default chain (environment, system properties, "
                    + "~/.aws profile, container and instance credentials)";
        };
    }

    /** The URL in error messages: the override, or AWS S3's regional endpoint. */
    static String endpointName(S3Settings settings) {
        return settings.endpoint() != null ? settings.endpoint().toString()
                : "https://s3." + settings.region() + ".amazonaws.com";
    }

    private static URI checkEndpoint(URI endpoint) {
        String scheme = endpoint.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || endpoint.getHost() == null) {
            throw new IllegalArgumentException("S3 endpoint '" + endpoint
                    + "' must be an http:// or https:// URL with a host, e.g. https://s3.example.com:9000");
        }
        return endpoint;
    }

    /** Thrown when the configured source has no usable credentials. */
    static final class MissingCredentialsException extends RuntimeException {
        private final String source;

        MissingCredentialsException(String source, Throwable cause) {
            super("no credentials from " + source + ": " + cause.getMessage(), cause);
            this.source = source;
        }

        String source() {
            return source;
        }
    }

    /** Wraps a provider so "no credentials" failures carry a recognisable type. Thread-safe if the delegate is. */
    private record CheckedProvider(AwsCredentialsProvider delegate, String source) implements AwsCredentialsProvider {
        @Override
        public AwsCredentials resolveCredentials() {
            try {
                return delegate.resolveCredentials();
            } catch (RuntimeException e) {
                throw new MissingCredentialsException(source, e);
            }
        }
    }
}
