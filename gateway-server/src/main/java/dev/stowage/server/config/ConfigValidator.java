package dev.stowage.server.config;

import dev.stowage.core.store.s3.S3Settings;
import dev.stowage.core.store.s3.S3Settings.ChecksumMode;
import dev.stowage.core.store.s3.S3Settings.Credentials;
import dev.stowage.core.store.s3.S3Settings.Encryption;
import dev.stowage.core.store.throttle.BandwidthSchedule;
import dev.stowage.server.logging.Redactor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a {@link RawConfig}, fills in defaults and builds the {@link GatewayConfig} (including the
 * {@link S3Settings} for gateway-core). The first problem found stops validation with a
 * {@link ConfigException} that names the key, says where an environment variable set it, and says
 * how to fix it. Not thread-safe (one instance per load).
 */
final class ConfigValidator {

    static final String DEFAULT_HEALTH_LISTEN = "127.0.0.1:9480";
    static final String DEFAULT_REGION = "us-east-1";
    /** Default port of the embedded S3 store on 127.0.0.1 (demo appliance and {@code s3.embedded}). */
    static final int DEFAULT_EMBEDDED_PORT = 9555;
    /** The embedded store's bucket. */
    static final String EMBEDDED_BUCKET = "stowage";
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final Map<String, String> env;
    private final Map<String, String> origins;

    ConfigValidator(Map<String, String> env, Map<String, String> origins) {
        this.env = env;
        this.origins = origins;
    }

    GatewayConfig validate(RawConfig raw, String source, List<String> warnings) {
        Integer embeddedPort = embeddedPort(raw.s3());
        S3Settings s3 = embeddedPort != null ? embeddedPlaceholder(embeddedPort) : s3(raw.s3());
        Path dataDir = raw.dataDir() == null || raw.dataDir().isBlank()
                ? DataDirs.defaultDir(env, System.getProperty("user.home"))
                : path(raw.dataDir().strip());
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw error("data_dir", "'" + dataDir + "' exists and is not a directory",
                    "point data_dir at a directory (it is created when missing)");
        }
        RawConfig.Health h = raw.health() == null ? new RawConfig.Health(null, null) : raw.health();
        InetSocketAddress listen = listen("health.listen", h.listen() == null ? DEFAULT_HEALTH_LISTEN : h.listen());
        Duration interval = h.checkInterval() == null ? Duration.ofSeconds(30)
                : Values.duration(key("health.check_interval"), h.checkInterval());
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw error("health.check_interval", "'" + h.checkInterval() + "' is too short",
                    "use at least 1s (30s is a good value)");
        }
        RawConfig.Logging l = raw.logging() == null ? new RawConfig.Logging(null, null) : raw.logging();
        GatewayConfig.LogLevel level = oneOf("logging.level", l.level(), GatewayConfig.LogLevel.class,
                GatewayConfig.LogLevel.INFO);
        GatewayConfig.LogFormat format = oneOf("logging.format", l.format(), GatewayConfig.LogFormat.class,
                GatewayConfig.LogFormat.TEXT);
        List<String> allWarnings = new java.util.ArrayList<>(warnings);
        CacheConfig cache = new CacheValidator(this, dataDir).validate(raw.cache());
        IscsiSettings iscsi = new IscsiValidator(this, dataDir, cache).validate(raw.iscsi(), allWarnings);
        BandwidthSchedule bandwidth = new BandwidthValidator(this).validate(raw.bandwidth());
        return new GatewayConfig(source, s3, dataDir, listen, interval, level, format, allWarnings, iscsi, embeddedPort,
                cache, bandwidth);
    }

    /** The embedded store's port when {@code s3.embedded} is true, else null; other s3 keys are then refused. */
    private Integer embeddedPort(RawConfig.S3 s) {
        if (s == null || s.embedded() == null || !s.embedded()) {
            if (s != null && s.embeddedPort() != null) {
                throw error("s3.embedded_port", "is only used with s3.embedded: true", "remove it, or set s3.embedded: true");
            }
            return null;
        }
        java.util.Map<String, Object> others = new java.util.LinkedHashMap<>();
        others.put("endpoint", s.endpoint());
        others.put("region", s.region());
        others.put("bucket", s.bucket());
        others.put("prefix", s.prefix());
        others.put("path_style", s.pathStyle());
        others.put("credentials", s.credentials());
        others.put("encryption", s.encryption());
        others.put("timeouts", s.timeouts());
        others.put("retries", s.retries());
        others.put("max_connections", s.maxConnections());
        others.put("multipart", s.multipart());
        others.put("checksums", s.checksums());
        for (java.util.Map.Entry<String, Object> e : others.entrySet()) {
            if (e.getValue() != null) {
                if (e.getValue() instanceof RawConfig.Credentials c) {
                    Redactor.register(c.secretAccessKey());
                    Redactor.register(c.sessionToken());
                }
                throw error("s3." + e.getKey(), "is not used with s3.embedded: true (the embedded store sets its own)",
                        "remove it, or remove s3.embedded to use another S3 service");
            }
        }
        int port = s.embeddedPort() == null ? DEFAULT_EMBEDDED_PORT : s.embeddedPort();
        if (port < 0 || port > 65535) {
            throw error("s3.embedded_port", "port " + port + " is out of range", "use a port from 1 to 65535 (0 picks a free one)");
        }
        return port;
    }

    /** Settings for the embedded store before it runs; the daemon replaces them with the real endpoint and keys. */
    private static S3Settings embeddedPlaceholder(int port) {
        return S3Settings.of(URI.create("http://127.0.0.1:" + port), DEFAULT_REGION, EMBEDDED_BUCKET,
                new Credentials.Static("embedded", "embedded-store-not-started", null));
    }

    private S3Settings s3(RawConfig.S3 s) {
        if (s == null) {
            throw error("s3", "the s3 section is missing", "add an s3 section with at least a bucket and credentials");
        }
        URI endpoint = s.endpoint() == null || s.endpoint().isBlank() ? null : endpoint(s.endpoint());
        String region = s.region() == null || s.region().isBlank() ? DEFAULT_REGION : s.region().strip();
        if (!REGION.matcher(region).matches()) {
            throw error("s3.region", "'" + region + "' is not a region name",
                    "write it like us-east-1 (most S3-compatible services accept us-east-1)");
        }
        if (s.bucket() == null || s.bucket().isBlank()) {
            throw error("s3.bucket", "no bucket is configured", "write the name of an existing bucket, e.g. bucket: backups");
        }
        String bucket = s.bucket().strip();
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw error("s3.bucket", "'" + bucket + "' is not a valid bucket name",
                    "use 3-63 characters: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit");
        }
        String prefix = s.prefix() == null ? "" : s.prefix().strip();
        if (prefix.startsWith("/")) {
            throw error("s3.prefix", "'" + prefix + "' starts with '/'", "write it without the leading slash, e.g. gateway1/");
        }
        boolean pathStyle = s.pathStyle() == null ? endpoint != null : s.pathStyle();
        Credentials credentials = credentials(s.credentials());
        Encryption encryption = encryption(s.encryption());
        ChecksumMode checksums = oneOf("s3.checksums", s.checksums(), ChecksumMode.class, ChecksumMode.WHEN_REQUIRED);
        RawConfig.Timeouts t = s.timeouts() == null ? new RawConfig.Timeouts(null, null) : s.timeouts();
        Duration connect = t.connect() == null ? Duration.ofSeconds(10) : positive("s3.timeouts.connect", t.connect());
        Duration request = t.request() == null ? Duration.ofSeconds(60) : positive("s3.timeouts.request", t.request());
        int retries = s.retries() == null ? 5 : s.retries();
        if (retries < 0 || retries > 50) {
            throw error("s3.retries", retries + " is out of range", "use a number from 0 to 50 (retries after the first attempt)");
        }
        int maxConnections = s.maxConnections() == null ? 64 : s.maxConnections();
        if (maxConnections < 1 || maxConnections > 4096) {
            throw error("s3.max_connections", maxConnections + " is out of range", "use a number from 1 to 4096");
        }
        RawConfig.Multipart mp = s.multipart() == null ? new RawConfig.Multipart(null, null, null) : s.multipart();
        long partSize = mp.partSize() == null ? 16L << 20 : Values.size(key("s3.multipart.part_size"), mp.partSize());
        if (partSize < S3Settings.MIN_PART_SIZE || partSize > (5L << 30)) {
            throw error("s3.multipart.part_size", "'" + mp.partSize() + "' is outside what S3 allows",
                    "use a size from 5MiB to 5GiB, e.g. 16MiB");
        }
        long threshold = mp.threshold() == null ? Math.max(64L << 20, partSize)
                : Values.size(key("s3.multipart.threshold"), mp.threshold());
        if (threshold < partSize) {
            throw error("s3.multipart.threshold", "'" + mp.threshold() + "' is smaller than s3.multipart.part_size",
                    "make it at least the part size");
        }
        int parallelism = mp.parallelism() == null ? 8 : mp.parallelism();
        if (parallelism < 1 || parallelism > maxConnections) {
            throw error("s3.multipart.parallelism", parallelism + " is out of range",
                    "use a number from 1 to s3.max_connections (" + maxConnections + ")");
        }
        return new S3Settings(endpoint, region, bucket, prefix, pathStyle, credentials, encryption, checksums,
                connect, request, retries, maxConnections, threshold, partSize, parallelism);
    }

    /** A path as written, with a leading {@code ~/} meaning the home directory. */
    private static Path path(String text) {
        return path(text, Path.of("").toAbsolutePath());
    }

    /** A path as written, relative to {@code base}, with a leading {@code ~/} meaning the home directory. */
    static Path path(String text, Path base) {
        if (text.equals("~") || text.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), text.substring(1).replaceFirst("^/", "")).toAbsolutePath();
        }
        return base.resolve(text).toAbsolutePath();
    }

    private URI endpoint(String text) {
        String fix = "write it like https://s3.example.com:9000";
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw error("s3.endpoint", "'" + text + "' is not a valid http(s) URL", fix);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw error("s3.endpoint", "'" + text + "' is not a valid http(s) URL", fix);
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw error("s3.endpoint", "'" + text + "' has a path", "give only scheme, host and port, and put the bucket in s3.bucket");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority());
    }

    private Credentials credentials(RawConfig.Credentials c) {
        if (c == null) {
            c = new RawConfig.Credentials(null, null, null, null, null);
        }
        String type = c.type() == null ? (c.accessKeyId() != null || c.secretAccessKey() != null ? "static" : "default")
                : c.type().strip().toLowerCase(Locale.ROOT);
        if (c.profile() != null && !type.equals("profile")) {
            throw error("s3.credentials.profile", "is only used with type: profile (type is " + type + ")",
                    "remove it or set s3.credentials.type: profile");
        }
        switch (type) {
            case "static" -> {
                if (c.accessKeyId() == null || c.accessKeyId().isBlank()) {
                    throw error("s3.credentials.access_key_id", "is missing for type: static",
                            "write the access key id, or set " + ConfigKeys.envName("s3.credentials.access_key_id")
                                    + " / STOWAGE_S3_ACCESS_KEY_ID");
                }
                if (c.secretAccessKey() == null || c.secretAccessKey().isBlank()) {
                    throw error("s3.credentials.secret_access_key", "is missing for type: static",
                            "write the secret key, or set STOWAGE_S3_SECRET_ACCESS_KEY");
                }
                Redactor.register(c.secretAccessKey());
                Redactor.register(c.sessionToken());
                return new Credentials.Static(c.accessKeyId().strip(), c.secretAccessKey().strip(),
                        c.sessionToken() == null || c.sessionToken().isBlank() ? null : c.sessionToken().strip());
            }
            case "environment", "profile", "default" -> {
                if (c.accessKeyId() != null || c.secretAccessKey() != null || c.sessionToken() != null) {
                    String k = c.accessKeyId() != null ? "access_key_id" : c.secretAccessKey() != null
                            ? "secret_access_key" : "session_token";
                    Redactor.register(c.secretAccessKey());
                    Redactor.register(c.sessionToken());
                    throw error("s3.credentials." + k, "is only used with type: static (type is " + type + ")",
                            "remove it or set s3.credentials.type: static");
                }
                if (type.equals("environment")) {
                    for (String v : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
                        if (env.get(v) == null || env.get(v).isBlank()) {
                            throw error("s3.credentials.type", "is 'environment' but " + v + " is not set",
                                    "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use type: static");
                        }
                    }
                    return new Credentials.Environment();
                }
                if (type.equals("profile")) {
                    return new Credentials.Profile(c.profile() == null || c.profile().isBlank() ? "default" : c.profile().strip());
                }
                return new Credentials.DefaultChain();
            }
            default -> throw error("s3.credentials.type", "'" + c.type() + "' is not a credentials type",
                    "write one of static, environment, profile, default");
        }
    }

    private Encryption encryption(RawConfig.Encryption e) {
        if (e == null) {
            return Encryption.NONE;
        }
        String mode = e.mode() == null ? "none" : e.mode().strip().toLowerCase(Locale.ROOT);
        if (e.kmsKeyId() != null && !mode.equals("sse-kms")) {
            throw error("s3.encryption.kms_key_id", "is only used with mode: sse-kms", "remove it or set mode: sse-kms");
        }
        if (e.customerKeyFile() != null && !mode.equals("sse-c")) {
            throw error("s3.encryption.customer_key_file", "is only used with mode: sse-c", "remove it or set mode: sse-c");
        }
        return switch (mode) {
            case "none" -> Encryption.NONE;
            case "sse-s3" -> new Encryption.S3Managed();
            case "sse-kms" -> new Encryption.Kms(e.kmsKeyId() == null || e.kmsKeyId().isBlank() ? null : e.kmsKeyId().strip());
            case "sse-c" -> new Encryption.CustomerKey(customerKey(e.customerKeyFile()));
            default -> throw error("s3.encryption.mode", "'" + e.mode() + "' is not an encryption mode",
                    "write one of none, sse-s3, sse-kms, sse-c");
        };
    }

    private byte[] customerKey(String file) {
        String k = "s3.encryption.customer_key_file";
        if (file == null || file.isBlank()) {
            throw error(k, "is missing for mode: sse-c",
                    "name a file holding a 256-bit key (32 raw bytes, or base64 text), e.g. made with: openssl rand 32 > sse-c.key");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path(file.strip()));
        } catch (IOException e) {
            throw error(k, "cannot read '" + file + "' (" + e.getClass().getSimpleName() + ")",
                    "check the path and that this user may read it");
        }
        if (bytes.length == 32) {
            return bytes;
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).strip());
            if (decoded.length == 32) {
                return decoded;
            }
        } catch (IllegalArgumentException ignored) {
            // not base64: fall through to the error below
        }
        throw error(k, "'" + file + "' does not hold a 256-bit key",
                "the file must hold exactly 32 raw bytes or their base64 text (openssl rand 32 > sse-c.key)");
    }

    private InetSocketAddress listen(String k, String text) {
        return listen(k, text, DEFAULT_HEALTH_LISTEN);
    }

    InetSocketAddress listen(String k, String text, String example) {
        String fix = "write host:port, e.g. " + example + " ([::1]:port for IPv6)";
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw error(k, "'" + text + "' is not a host:port address", fix);
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw error(k, "'" + text + "' does not end with a port number", fix);
        }
        if (port < 0 || port > 65535) {
            throw error(k, "port " + port + " is out of range", "use a port from 1 to 65535 (0 picks a free one)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw error(k, "host '" + host + "' is not known", fix);
        }
    }

    private Duration positive(String k, String text) {
        Duration d = Values.duration(key(k), text);
        if (d.isZero()) {
            throw error(k, "must be longer than 0", "use e.g. 10s");
        }
        return d;
    }

    private <E extends Enum<E>> E oneOf(String k, String text, Class<E> type, E dflt) {
        if (text == null || text.isBlank()) {
            return dflt;
        }
        String norm = text.strip().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(norm)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw error(k, "'" + text + "' is not allowed", "write one of " + allowed);
    }

    /** The key as shown in messages: with the variable that set it, when one did. */
    String key(String k) {
        return origins.containsKey(k) ? k + " (from " + origins.get(k) + ")" : k;
    }

    ConfigException error(String k, String problem, String fix) {
        return new ConfigException(key(k), problem, fix);
    }
}
