package dev.stowage.server.config;

import dev.stowage.core.store.s3.S3Settings;
import dev.stowage.core.store.throttle.BandwidthSchedule;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The checked configuration the daemon runs with. Immutable. Carries secrets only inside
 * {@link S3Settings}, whose {@code toString()} masks them.
 *
 * @param source        where it came from, for logs: a file path, "environment" or "demo"
 * @param s3            connection settings for the primary bucket
 * @param dataDir       local state directory (lock file, demo store, later the cache)
 * @param healthListen  address of the health endpoint (port 0: any free port)
 * @param checkInterval how often the S3 connection is re-checked while running
 * @param logLevel      root log level
 * @param logFormat     text or json log lines
 * @param warnings      non-fatal remarks to log once at start (e.g. an unknown STOWAGE_ variable)
 * @param iscsi         the iSCSI portal and targets, or null when the gateway serves no iSCSI
 * @param embeddedS3Port port of the embedded S3 store on 127.0.0.1 ({@code s3.embedded}, and the demo
 *                      appliance; 0: any free port), or null for an external S3 service. While the
 *                      embedded store has not started, {@code s3} holds placeholders; the daemon
 *                      replaces them with {@link #withS3} once it runs.
 * @param cache         the write-back cache for cached volumes, or null when there is no {@code cache} section
 * @param bandwidth     limits for traffic to the bucket, or null when there is no {@code bandwidth} section
 */
public record GatewayConfig(String source, S3Settings s3, Path dataDir, InetSocketAddress healthListen,
                            Duration checkInterval, LogLevel logLevel, LogFormat logFormat, List<String> warnings,
                            IscsiSettings iscsi, Integer embeddedS3Port, CacheConfig cache,
                            BandwidthSchedule bandwidth) {

    public GatewayConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(s3, "s3");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(healthListen, "healthListen");
        Objects.requireNonNull(checkInterval, "checkInterval");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFormat, "logFormat");
        warnings = List.copyOf(warnings);
    }

    /** The same configuration with other S3 settings (the embedded store's, once it runs). */
    public GatewayConfig withS3(S3Settings newS3) {
        return new GatewayConfig(source, newS3, dataDir, healthListen, checkInterval, logLevel, logFormat, warnings,
                iscsi, embeddedS3Port, cache, bandwidth);
    }

    /** Log levels, as written in the file. */
    public enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE }

    /** Log line formats. */
    public enum LogFormat { TEXT, JSON }
}
