package dev.stowage.server.config;

import dev.stowage.server.logging.Redactor;

/**
 * The configuration file as written (after environment overrides), bound by Jackson with
 * snake_case key names. Every field is nullable: null means "not given, use the default".
 * {@link ConfigValidator} turns this into a checked {@link GatewayConfig}.
 *
 * <p>Immutable records; {@code toString()} of the credentials masks the secret.
 */
public record RawConfig(S3 s3, String dataDir, Health health, Logging logging, Iscsi iscsi, Cache cache,
                        Bandwidth bandwidth) {

    /** The {@code s3} section. */
    public record S3(String endpoint, String region, String bucket, String prefix, Boolean pathStyle,
                     Credentials credentials, Encryption encryption, Timeouts timeouts, Integer retries,
                     Integer maxConnections, Multipart multipart, String checksums, Boolean embedded,
                     Integer embeddedPort) {
    }

    /** {@code s3.credentials}. */
    public record Credentials(String type, String accessKeyId, String secretAccessKey, String sessionToken,
                              String profile) {
        @Override
        public String toString() {
            return "Credentials[type=" + type + ", accessKeyId=" + accessKeyId
                    + ", secretAccessKey=" + (secretAccessKey == null ? "null" : Redactor.MASK)
                    + ", sessionToken=" + (sessionToken == null ? "null" : Redactor.MASK)
                    + ", profile=" + profile + "]";
        }
    }

    /** {@code s3.encryption}. */
    public record Encryption(String mode, String kmsKeyId, String customerKeyFile) {
    }

    /** {@code s3.timeouts}. */
    public record Timeouts(String connect, String request) {
    }

    /** {@code s3.multipart}. */
    public record Multipart(String threshold, String partSize, Integer parallelism) {
    }

    /** The {@code health} section. */
    public record Health(String listen, String checkInterval) {
    }

    /** The {@code logging} section. */
    public record Logging(String level, String format) {
    }

    /** The {@code iscsi} section. */
    public record Iscsi(String listen, Chap discoveryChap, java.util.List<Target> targets) {
    }

    /** One entry of {@code iscsi.targets}. */
    public record Target(String iqn, String alias, Chap chap, java.util.List<String> allowedInitiators,
                         java.util.List<Lun> luns) {
    }

    /** One entry of {@code iscsi.targets[n].luns}. */
    public record Lun(Integer lun, String type, String path, String size, Integer blockSize, Boolean readOnly,
                      String volume, SnapshotSchedule snapshotSchedule, Boolean preserveExistingData) {
    }

    /** {@code iscsi.targets[n].luns[m].snapshot_schedule}. */
    public record SnapshotSchedule(String every, String at, Integer retain, String description, String timeZone) {
    }

    /** The {@code cache} section. */
    public record Cache(String dir, String size, String chunkSize, String settleDelay, Integer uploadParallelism,
                        CacheEncryption encryption) {
    }

    /** {@code cache.encryption}. */
    public record CacheEncryption(String keyFile) {
    }

    /** The {@code bandwidth} section. */
    public record Bandwidth(String upload, String download, String timezone, java.util.List<BandwidthWindow> schedule) {
    }

    /** One entry of {@code bandwidth.schedule}. */
    public record BandwidthWindow(String days, String from, String to, String upload, String download) {
    }

    /** {@code chap} and {@code discovery_chap}: secrets masked in {@code toString()}. */
    public record Chap(String user, String secret, String mutualUser, String mutualSecret) {
        @Override
        public String toString() {
            return "Chap[user=" + user + ", secret=" + (secret == null ? "null" : Redactor.MASK)
                    + ", mutualUser=" + mutualUser + ", mutualSecret=" + (mutualSecret == null ? "null" : Redactor.MASK) + "]";
        }
    }
}
