package dev.stowage.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.AccessDeniedException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.core.store.throttle.ThrottledObjectStore;
import dev.stowage.server.lifecycle.Service;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up sequence with the in-memory store: configuration sources, failures, front-end ordering. */
class DaemonTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream banner = new ByteArrayOutputStream();
    private final List<String> events = new ArrayList<>();

    private Map<String, String> envConfig() {
        Map<String, String> env = new HashMap<>();
        env.put("STOWAGE_S3_ENDPOINT", "http://127.0.0.1:9");
        env.put("STOWAGE_S3_BUCKET", "envbucket");
        env.put("STOWAGE_S3_ACCESS_KEY_ID", "K");
        env.put("STOWAGE_S3_SECRET_ACCESS_KEY", "daemon-test-secret");
        env.put("STOWAGE_DATA_DIR", dir.resolve("data").toString());
        env.put("STOWAGE_HEALTH_LISTEN", "127.0.0.1:0");
        return env;
    }

    private Daemon.Launch launch(Map<String, String> env, StoreFactory stores, FrontEnds frontEnds) {
        return new Daemon.Launch(null, env, dir, dir.toString(), stores, frontEnds,
                new PrintStream(banner, true, StandardCharsets.UTF_8), InstantSource.system(), false);
    }

    private Service recording(String name, boolean fail) {
        return new Service() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() {
                if (fail) {
                    throw new IllegalStateException(name + " could not bind");
                }
                events.add("start " + name);
            }

            @Override
            public void stop() {
                events.add("stop " + name);
            }

            @Override
            public String describe() {
                return "iqn.2026-01.dev.stowage:demo on 127.0.0.1:3260";
            }
        };
    }

    @Test
    void configurationSources() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        assertThat(Daemon.mode(null, Map.of(), cwd)).isEqualTo(Daemon.Mode.DEMO);
        assertThat(Daemon.mode(null, Map.of("STOWAGE_S3_BUCKET", "b"), cwd)).isEqualTo(Daemon.Mode.ENVIRONMENT);
        assertThat(Daemon.mode(null, Map.of("STOWAGE_CONFIG", "/etc/stowage.yaml"), cwd)).isEqualTo(Daemon.Mode.FILE);
        assertThat(Daemon.configPath(null, Map.of("STOWAGE_CONFIG", "/etc/stowage.yaml"), cwd)).isEqualTo(Path.of("/etc/stowage.yaml"));
        assertThat(Daemon.mode(Path.of("x.yaml"), Map.of(), cwd)).isEqualTo(Daemon.Mode.FILE);
        Files.writeString(cwd.resolve("stowage.yaml"), "s3: {bucket: b}\n");
        assertThat(Daemon.mode(null, Map.of("STOWAGE_S3_BUCKET", "b"), cwd)).isEqualTo(Daemon.Mode.FILE);
        assertThat(Daemon.configPath(null, Map.of(), cwd)).isEqualTo(cwd.resolve("stowage.yaml"));
    }

    @Test
    void environmentOnlyStartRunsFrontEndsLastAndStopsThemFirst() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        try (Daemon.Running running = Daemon.start(launch(envConfig(), s -> store,
                (config, s) -> List.of(recording("iscsi", false))))) {
            assertThat(running.config().source()).isEqualTo("environment");
            assertThat(running.config().s3().bucket()).isEqualTo("envbucket");
            assertThat(events).containsExactly("start iscsi");
            String text = banner.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("configuration: environment").contains("iqn.2026-01.dev.stowage:demo")
                    .contains("NFS").doesNotContain("not configured").doesNotContain("daemon-test-secret");
        }
        assertThat(events).containsExactly("start iscsi", "stop iscsi");
        assertThat(store.objectCount()).as("probe deleted").isZero();
    }

    @Test
    void failedBucketCheckStopsStartUpWithExitCodeTwoAndReleasesTheLock() throws Exception {
        FaultInjectingObjectStore store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        store.failNext(FaultInjectingObjectStore.Operation.PUT, 1, () -> new AccessDeniedException("access denied: may not write"));
        assertThatThrownBy(() -> Daemon.start(launch(envConfig(), s -> store, (c, s) -> List.of(recording("iscsi", false)))))
                .isInstanceOfSatisfying(StartupException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessage("S3 check failed for bucket envbucket at endpoint http://127.0.0.1:9: access denied: may not write");
        assertThat(events).as("front ends never started").isEmpty();
        // The data directory lock was released: the next start works.
        Daemon.start(launch(envConfig(), s -> new InMemoryObjectStore(), FrontEnds.NONE)).close();
    }

    @Test
    void failingFrontEndStopsEverything() throws Exception {
        assertThatThrownBy(() -> Daemon.start(launch(envConfig(), s -> new InMemoryObjectStore(),
                (c, s) -> List.of(recording("iscsi", false), recording("nfs", true)))))
                .isInstanceOf(StartupException.class).hasMessage("start-up failed: nfs could not bind");
        assertThat(events).containsExactly("start iscsi", "stop iscsi");
        Daemon.start(launch(envConfig(), s -> new InMemoryObjectStore(), FrontEnds.NONE)).close();
    }

    @Test
    void configErrorsAndBadDemoPortAreStartupErrors() {
        Map<String, String> env = envConfig();
        env.put("STOWAGE_S3_ENDPOINT", "htp://x");
        assertThatThrownBy(() -> Daemon.start(launch(env, s -> new InMemoryObjectStore(), FrontEnds.NONE)))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("config error: s3.endpoint (from STOWAGE_S3_ENDPOINT): 'htp://x' is not a valid http(s) URL");
        Map<String, String> demo = Map.of("STOWAGE_DATA_DIR", dir.resolve("demo").toString(), "STOWAGE_DEMO_S3_PORT", "ninety");
        assertThatThrownBy(() -> Daemon.start(launch(demo, s -> new InMemoryObjectStore(), FrontEnds.NONE)))
                .isInstanceOf(StartupException.class)
                .hasMessage("config error: STOWAGE_DEMO_S3_PORT: 'ninety' is not a port number; use 1-65535, or 0 for any free port");
    }

    @Test
    void demoIscsiPortInUseIsAClearErrorAndReleasesEverything() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> demo = Map.of("STOWAGE_DATA_DIR", dir.resolve("demo").toString(), "STOWAGE_DEMO_S3_PORT", "0",
                    "STOWAGE_DEMO_ISCSI_PORT", String.valueOf(taken.getLocalPort()), "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0");
            assertThatThrownBy(() -> Daemon.start(launch(demo, s -> new InMemoryObjectStore(), FrontEnds.CONFIGURED)))
                    .isInstanceOfSatisfying(StartupException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " for iSCSI (")
                    .hasMessageEndingWith("); stop what uses that port, or set STOWAGE_DEMO_ISCSI_PORT to another port (0 picks a free one)");
            Map<String, String> free = new HashMap<>(demo);
            free.put("STOWAGE_DEMO_ISCSI_PORT", "0");
            // Lock, embedded store and disk image were released: the next start works.
            Daemon.start(launch(free, s -> new InMemoryObjectStore(), FrontEnds.CONFIGURED)).close();
        }
    }

    @Test
    void demoPortInUseIsAClearError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Map<String, String> demo = Map.of("STOWAGE_DATA_DIR", dir.resolve("demo").toString(),
                    "STOWAGE_DEMO_S3_PORT", String.valueOf(taken.getLocalPort()), "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0");
            assertThatThrownBy(() -> Daemon.start(launch(demo, s -> new InMemoryObjectStore(), FrontEnds.NONE)))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("STOWAGE_DEMO_S3_PORT");
        }
    }

    @Test
    void frontEndsReachTheBucketThroughTheBandwidthLimitsAndTheStartUpCheckDoesNot() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        Map<String, String> env = envConfig();
        env.put("STOWAGE_BANDWIDTH_UPLOAD", "1MiB/s");
        List<ObjectStore> given = new ArrayList<>();
        try (Daemon.Running running = Daemon.start(launch(env, s -> store, (config, s) -> {
            given.add(s);
            return List.of();
        }))) {
            assertThat(given).singleElement().isInstanceOfSatisfying(ThrottledObjectStore.class, t -> {
                assertThat(t.schedule().defaults().upload()).isEqualTo(1 << 20);
                // The start-up probe (a put and a get) went to the plain store.
                assertThat(t.uploadedBytes()).isZero();
                assertThat(t.downloadedBytes()).isZero();
            });
            assertThat(running.store()).isSameAs(store);
        }
        given.clear();
        InMemoryObjectStore plain = new InMemoryObjectStore();
        try (Daemon.Running running = Daemon.start(launch(envConfig(), s -> plain, (config, s) -> {
            given.add(s);
            return List.of();
        }))) {
            assertThat(given).as("no bandwidth section: the plain store").containsExactly(plain);
        }
    }
}
