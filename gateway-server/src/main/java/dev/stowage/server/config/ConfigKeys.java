package dev.stowage.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The list of configuration keys and the environment variables that override them.
 *
 * <p>Mapping rule: every key {@code a.b_c.d} can be set with the variable {@code STOWAGE_A_B_C_D}
 * (upper case, dots become underscores). Two short aliases exist for the keys people set most:
 * {@code STOWAGE_S3_ACCESS_KEY_ID} and {@code STOWAGE_S3_SECRET_ACCESS_KEY}. A variable set to the
 * empty string counts as not set. {@code STOWAGE_CONFIG} names the configuration file. Keys inside
 * lists ({@code iscsi.targets}, {@code bandwidth.schedule}) have no variables.
 */
public final class ConfigKeys {

    /** Environment variable that names the configuration file. */
    public static final String CONFIG_FILE_ENV = "STOWAGE_CONFIG";

    /** Every leaf key, in documentation order. */
    public static final List<String> LEAVES = List.of(
            "s3.endpoint", "s3.region", "s3.bucket", "s3.prefix", "s3.path_style",
            "s3.credentials.type", "s3.credentials.access_key_id", "s3.credentials.secret_access_key",
            "s3.credentials.session_token", "s3.credentials.profile",
            "s3.encryption.mode", "s3.encryption.kms_key_id", "s3.encryption.customer_key_file",
            "s3.timeouts.connect", "s3.timeouts.request", "s3.retries", "s3.max_connections",
            "s3.multipart.threshold", "s3.multipart.part_size", "s3.multipart.parallelism", "s3.checksums",
            "s3.embedded", "s3.embedded_port",
            "data_dir", "health.listen", "health.check_interval", "logging.level", "logging.format",
            "iscsi.listen", "iscsi.discovery_chap.user", "iscsi.discovery_chap.secret",
            "iscsi.discovery_chap.mutual_user", "iscsi.discovery_chap.mutual_secret",
            "cache.dir", "cache.size", "cache.chunk_size", "cache.settle_delay", "cache.upload_parallelism",
            "cache.encryption.key_file",
            "bandwidth.upload", "bandwidth.download", "bandwidth.timezone");

    /** Keys whose values are secrets: never echoed in messages, registered with the redactor. */
    public static final Set<String> SECRET_LEAVES = Set.of("secret_access_key", "session_token", "secret", "mutual_secret");

    /** Sections a later version will read; named here so that a config using them gets a clear answer. */
    public static final Set<String> NOT_YET_SECTIONS = Set.of("nfs", "vtl", "volumes", "tapes");

    private static final Map<String, String> ALIASES = Map.of(
            "STOWAGE_S3_ACCESS_KEY_ID", "s3.credentials.access_key_id",
            "STOWAGE_S3_SECRET_ACCESS_KEY", "s3.credentials.secret_access_key");

    private ConfigKeys() {
    }

    /** The canonical variable for a key: {@code s3.path_style} -> {@code STOWAGE_S3_PATH_STYLE}. */
    public static String envName(String key) {
        return "STOWAGE_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** Variable name -> key, canonical names first, then the aliases. */
    public static Map<String, String> envToKey() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : LEAVES) {
            m.put(envName(k), k);
        }
        m.putAll(ALIASES);
        return m;
    }

    /** True when the key's last segment names a secret. */
    public static boolean isSecret(String dottedKey) {
        int i = dottedKey.lastIndexOf('.');
        return SECRET_LEAVES.contains(i < 0 ? dottedKey : dottedKey.substring(i + 1));
    }
}
