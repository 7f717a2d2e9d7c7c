package dev.stowage.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.s3.S3Settings;
import dev.stowage.server.admin.AdminServices;
import dev.stowage.server.check.BucketCheck;
import dev.stowage.server.check.BucketCheckException;
import dev.stowage.server.check.StartupCheckService;
import dev.stowage.server.config.ConfigException;
import dev.stowage.server.config.ConfigKeys;
import dev.stowage.server.config.ConfigLoader;
import dev.stowage.server.config.DataDirs;
import dev.stowage.server.config.GatewayConfig;
import dev.stowage.server.demo.DemoCredentials;
import dev.stowage.server.demo.EmbeddedS3;
import dev.stowage.server.health.HealthMonitor;
import dev.stowage.server.health.HealthServer;
import dev.stowage.server.lifecycle.Appliance;
import dev.stowage.server.lifecycle.DataDirLock;
import dev.stowage.server.lifecycle.Service;
import dev.stowage.server.logging.LogSetup;
import dev.stowage.server.metrics.MetricsCollector;
import dev.stowage.server.metrics.MetricsService;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up sequence: find the configuration (file, environment, or none: demo appliance), check
 * it, lock the data directory, configure logging, then start the services in order: embedded S3
 * store (demo, or {@code s3.embedded}), bucket check, S3 monitor, health endpoint, front ends
 * (the write-back cache, stored volumes, then iSCSI, when configured; the demo appliance exports a
 * file disk, a cached volume and a stored volume), then the volume catalog, the admin API and
 * {@code GET /metrics} on the health endpoint's server. Prints the banner.
 *
 * <p>Errors the operator must fix come out as a {@link StartupException} with one line of text;
 * anything already started is stopped again first. Not thread-safe: call {@link #start} once.
 */
public final class Daemon {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** Default TCP port of the demo S3 store on 127.0.0.1. */
    public static final int DEFAULT_DEMO_S3_PORT = 9555;
    /** Name of the demo bucket. */
    public static final String DEMO_BUCKET = "stowage";
    /** {@link GatewayConfig#source()} of the demo appliance. */
    public static final String DEMO_SOURCE = "demo";
    /** Default iSCSI port of the demo appliance on 127.0.0.1. */
    public static final int DEFAULT_DEMO_ISCSI_PORT = 3260;
    /** Variable that moves the demo appliance's iSCSI portal (0: any free port). */
    public static final String DEMO_ISCSI_PORT_ENV = "STOWAGE_DEMO_ISCSI_PORT";
    /** The demo appliance's disk. */
    public static final String DEMO_IQN = "iqn.2026-11.dev.stowage:demo-disk";
    /** The demo appliance's cached volume (data in the embedded bucket). */
    public static final String DEMO_CACHED_IQN = "iqn.2026-11.dev.stowage:demo-cached";
    /** Id of the demo appliance's cached volume. */
    public static final String DEMO_CACHED_VOLUME = "demo-cached";
    /** The demo appliance's stored volume (data in a local file, snapshots in the embedded bucket). */
    public static final String DEMO_STORED_IQN = "iqn.2026-11.dev.stowage:demo-stored";
    /** Id of the demo appliance's stored volume. */
    public static final String DEMO_STORED_VOLUME = "demo-stored";

    /** Where the configuration comes from. */
    public enum Mode { FILE, ENVIRONMENT, DEMO }

    /**
     * What the daemon needs from its surroundings (all injectable for tests).
     *
     * @param configFile      --config, or null
     * @param env             environment variables
     * @param cwd             working directory (where ./stowage.yaml is looked for)
     * @param userHome        home directory, for the default data directory
     * @param stores          opens the object store
     * @param frontEnds       protocol front ends to run
     * @param out             where the banner goes
     * @param clock           time source for uptime and check times
     * @param configureLogging whether to (re)configure logback from the configuration
     */
    public record Launch(Path configFile, Map<String, String> env, Path cwd, String userHome, StoreFactory stores,
                         FrontEnds frontEnds, PrintStream out, InstantSource clock, boolean configureLogging) {
        public Launch {
            Objects.requireNonNull(env);
            Objects.requireNonNull(cwd);
            Objects.requireNonNull(stores);
            Objects.requireNonNull(frontEnds);
            Objects.requireNonNull(out);
            Objects.requireNonNull(clock);
        }
    }

    /** A started gateway. {@link #close()} stops it (services in reverse order, store, lock); idempotent. */
    public static final class Running implements AutoCloseable {
        private final GatewayConfig config;
        private final List<Appliance> groups;
        private final HealthServer health;
        private final HealthMonitor monitor;
        private final ObjectStore store;
        private final DataDirLock lock;
        private final EmbeddedS3 demo;
        private final List<Service> frontEnds;
        private boolean closed;

        Running(GatewayConfig config, List<Appliance> groups, HealthServer health, HealthMonitor monitor, ObjectStore store,
                DataDirLock lock, EmbeddedS3 demo, List<Service> frontEnds) {
            this.frontEnds = List.copyOf(frontEnds);
            this.config = config;
            this.groups = List.copyOf(groups);
            this.health = health;
            this.monitor = monitor;
            this.store = store;
            this.lock = lock;
            this.demo = demo;
        }

        public GatewayConfig config() {
            return config;
        }

        public HealthServer health() {
            return health;
        }

        public HealthMonitor monitor() {
            return monitor;
        }

        public ObjectStore store() {
            return store;
        }

        /** The running front end of type {@code type} (e.g. the cache or iSCSI service), or null. */
        public <T extends Service> T service(Class<T> type) {
            return frontEnds.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
        }

        /** The embedded S3 store (demo appliance or {@code s3.embedded}), or null when an external S3 service is used. */
        public EmbeddedS3 demoStore() {
            return demo;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = groups.size() - 1; i >= 0; i--) {
                groups.get(i).stop();
            }
            try {
                store.close();
            } finally {
                lock.close();
            }
        }
    }

    private Daemon() {
    }

    /** Which configuration source applies, in order: --config, STOWAGE_CONFIG, ./stowage.yaml, STOWAGE_S3_* variables, demo. */
    public static Mode mode(Path configFile, Map<String, String> env, Path cwd) {
        if (configFile != null || notBlank(env.get(ConfigKeys.CONFIG_FILE_ENV)) || Files.isRegularFile(cwd.resolve("stowage.yaml"))) {
            return Mode.FILE;
        }
        if (notBlank(env.get(ConfigKeys.envName("s3.bucket"))) || notBlank(env.get(ConfigKeys.envName("s3.endpoint")))) {
            return Mode.ENVIRONMENT;
        }
        return Mode.DEMO;
    }

    /** The configuration file that applies in {@link Mode#FILE}. */
    public static Path configPath(Path configFile, Map<String, String> env, Path cwd) {
        if (configFile != null) {
            return configFile;
        }
        if (notBlank(env.get(ConfigKeys.CONFIG_FILE_ENV))) {
            return Path.of(env.get(ConfigKeys.CONFIG_FILE_ENV));
        }
        return cwd.resolve("stowage.yaml");
    }

    /** Loads and checks the configuration of a non-demo start (used by {@code check-config} too). */
    public static GatewayConfig loadConfig(Path configFile, Map<String, String> env, Path cwd) {
        return switch (mode(configFile, env, cwd)) {
            case FILE -> ConfigLoader.fromFile(configPath(configFile, env, cwd), env);
            case ENVIRONMENT -> ConfigLoader.fromTree(JsonNodeFactory.instance.objectNode(), "environment", env);
            case DEMO -> throw new ConfigException("s3", "no configuration was found (no --config, no "
                    + ConfigKeys.CONFIG_FILE_ENV + ", no ./stowage.yaml, no STOWAGE_S3_BUCKET)",
                    "write a configuration file (see docs/configuration.md), or run without one to start the demo appliance");
        };
    }

    /** Starts the gateway; returns once every service runs. */
    public static Running start(Launch l) throws StartupException {
        Mode mode = mode(l.configFile(), l.env(), l.cwd());
        EmbeddedSetup embedded = null;
        DataDirLock lock = null;
        GatewayConfig config;
        try {
            config = mode == Mode.DEMO
                    ? ConfigLoader.fromTree(Demo.configTree(DataDirs.defaultDir(l.env(), l.userHome()), l.env()), DEMO_SOURCE, l.env())
                    : loadConfig(l.configFile(), l.env(), l.cwd());
            lock = DataDirLock.acquire(config.dataDir());
            if (config.embeddedS3Port() != null) {
                embedded = EmbeddedSetup.prepare(config.dataDir(), config.embeddedS3Port(), mode == Mode.DEMO);
                // Started before the other services, to learn its port; the appliance's start() of it
                // is then a no-op and its stop() stops it last.
                embedded.store().start();
                config = config.withS3(embedded.settings());
            }
        } catch (ConfigException e) {
            cleanUp(embedded, lock);
            throw new StartupException(e.getMessage(), e);
        } catch (DataDirLock.LockedException e) {
            throw new StartupException(e.getMessage(), e);
        } catch (IOException e) {
            cleanUp(embedded, lock);
            throw new StartupException(e.getMessage().startsWith("cannot listen") ? e.getMessage()
                    : "cannot prepare the data directory: " + e.getMessage()
                    + "; check that it is writable (data_dir or STOWAGE_DATA_DIR)", e);
        } catch (Exception e) {
            cleanUp(embedded, lock);
            throw new StartupException("the embedded S3 store did not start: " + e, e);
        }
        if (l.configureLogging()) {
            LogSetup.configure(config.logLevel().name(), config.logFormat() == GatewayConfig.LogFormat.JSON);
        }
        log.atInfo().addKeyValue("version", Version.get()).addKeyValue("config", config.source())
                .addKeyValue("data_dir", config.dataDir()).log("starting Stowage");
        config.warnings().forEach(w -> log.warn(w));

        ObjectStore store;
        try {
            store = l.stores().open(config.s3());
        } catch (RuntimeException e) {
            cleanUp(embedded, lock);
            throw new StartupException("cannot set up the S3 client: " + e.getMessage(), e);
        }
        String endpoint = config.s3().endpoint() == null ? "AWS S3 (" + config.s3().region() + ")"
                : config.s3().endpoint().toString();
        BucketCheck check = new BucketCheck(store, config.s3().bucket(), endpoint);
        HealthMonitor monitor = new HealthMonitor(check, config.checkInterval(), l.clock(),
                new HealthMonitor.S3Status(true, null, l.clock().instant()));
        HealthServer health = new HealthServer(config.healthListen(), monitor);
        List<Service> services = new ArrayList<>();
        if (embedded != null) {
            services.add(embedded.store());
        }
        services.add(new StartupCheckService(check, config.s3().bucket(), endpoint));
        services.add(monitor);
        services.add(health);
        Appliance appliance = new Appliance(services);
        try {
            appliance.start();
        } catch (Exception e) {
            store.close();
            lock.close();
            throw new StartupException(e instanceof BucketCheckException ? e.getMessage()
                    : "start-up failed: " + e.getMessage(), e);
        }
        // Front ends start last: they are created only once the bucket is known to work.
        // They reach the bucket through the bandwidth limits; the checks above stay unthrottled.
        ObjectStore bucket = BandwidthLimits.apply(config.bandwidth(), store);
        List<Service> frontEnds = new ArrayList<>(l.frontEnds().create(config, bucket));
        frontEnds.addAll(AdminServices.create(config, store, frontEnds, health, l.clock())); // catalog, schedules, admin API
        frontEnds.add(new MetricsService(health, new MetricsCollector(monitor, l.clock(), frontEnds, bucket))); // GET /metrics
        Appliance fe = new Appliance(frontEnds);
        try {
            fe.start();
        } catch (Exception e) {
            appliance.stop();
            store.close();
            lock.close();
            // Front ends word their own operator errors ("cannot listen on ...", "cannot open the disk image ...").
            String m = String.valueOf(e.getMessage());
            throw new StartupException(e instanceof IOException && m.startsWith("cannot ") || m.startsWith("disk image ")
                    ? m : "start-up failed: " + m, e);
        }
        Running running = new Running(config, List.of(appliance, fe), health, monitor, store, lock,
                embedded == null ? null : embedded.store(), frontEnds);
        Banner.print(l.out(), running, embedded == null ? null : embedded.credentials(), mode == Mode.DEMO, frontEnds);
        log.atInfo().addKeyValue("health", health.url()).log("started");
        return running;
    }

    private static void cleanUp(EmbeddedSetup embedded, DataDirLock lock) {
        if (embedded != null) {
            embedded.store().stop();
        }
        if (lock != null) {
            lock.close();
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** The embedded S3 store ({@code s3.embedded}, and the demo appliance), its credentials and settings. */
    record EmbeddedSetup(EmbeddedS3 store, DemoCredentials credentials) {

        static EmbeddedSetup prepare(Path dataDir, int port, boolean demo) throws IOException {
            Path root = dataDir.resolve("demo-s3");
            DemoCredentials creds = DemoCredentials.loadOrCreate(root.resolve("credentials"));
            EmbeddedS3 store = new EmbeddedS3(root.resolve("data"), port, DEMO_BUCKET, creds,
                    demo ? "STOWAGE_DEMO_S3_PORT" : "s3.embedded_port");
            return new EmbeddedSetup(store, creds);
        }

        /** Settings that point at the running store. */
        S3Settings settings() {
            return S3Settings.of(store.endpoint(), "us-east-1", DEMO_BUCKET,
                    new S3Settings.Credentials.Static(credentials.accessKeyId(), credentials.secretAccessKey(), null));
        }
    }

    /**
     * The demo appliance's configuration: the embedded store, and on a loopback portal three targets:
     * a file-backed disk, a 1 GiB cached volume (data in the embedded bucket, 256 MiB cache) and a
     * 1 GiB stored volume (data in a local file, snapshots in the embedded bucket).
     */
    static final class Demo {
        private Demo() {
        }

        static ObjectNode configTree(Path dataDir, Map<String, String> env) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ObjectNode s3 = root.putObject("s3");
            s3.put("embedded", true);
            s3.put("embedded_port", port(env, "STOWAGE_DEMO_S3_PORT", DEFAULT_DEMO_S3_PORT));
            root.put("data_dir", dataDir.toString());
            ObjectNode iscsi = root.putObject("iscsi");
            iscsi.put("listen", "127.0.0.1:" + port(env, DEMO_ISCSI_PORT_ENV, DEFAULT_DEMO_ISCSI_PORT));
            ObjectNode target = iscsi.putArray("targets").addObject();
            target.put("iqn", DEMO_IQN);
            target.put("alias", "demo-disk");
            ObjectNode lun = target.putArray("luns").addObject();
            lun.put("lun", 0);
            lun.put("type", "file");
            lun.put("path", "iscsi/demo-disk.img");
            lun.put("size", "1GiB");
            ObjectNode cachedTarget = ((com.fasterxml.jackson.databind.node.ArrayNode) iscsi.get("targets")).addObject();
            cachedTarget.put("iqn", DEMO_CACHED_IQN);
            cachedTarget.put("alias", DEMO_CACHED_VOLUME);
            ObjectNode cachedLun = cachedTarget.putArray("luns").addObject();
            cachedLun.put("lun", 0);
            cachedLun.put("type", "cached");
            cachedLun.put("volume", DEMO_CACHED_VOLUME);
            cachedLun.put("size", "1GiB");
            ObjectNode storedTarget = ((com.fasterxml.jackson.databind.node.ArrayNode) iscsi.get("targets")).addObject();
            storedTarget.put("iqn", DEMO_STORED_IQN);
            storedTarget.put("alias", DEMO_STORED_VOLUME);
            ObjectNode storedLun = storedTarget.putArray("luns").addObject();
            storedLun.put("lun", 0);
            storedLun.put("type", "stored");
            storedLun.put("volume", DEMO_STORED_VOLUME);
            storedLun.put("path", "iscsi/demo-stored.img");
            storedLun.put("size", "1GiB");
            ObjectNode cache = root.putObject("cache");
            cache.put("size", "256MiB");
            return root;
        }

        private static int port(Map<String, String> env, String name, int dflt) {
            String text = env.getOrDefault(name, "");
            if (text.isBlank()) {
                return dflt;
            }
            int port;
            try {
                port = Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(name, "'" + text + "' is not a port number", "use 1-65535, or 0 for any free port");
            }
            return port;
        }
    }
}
