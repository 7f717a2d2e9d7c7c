package dev.stowage.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as a real process: `stowage run` in demo mode in a child JVM, health over HTTP, a second
 * instance refused on the same data directory, SIGTERM giving exit code 0 and a "stopped" line.
 * Waits are bounded (the child is killed if it hangs).
 */
class ProcessLifecycleTest {

    private static final Pattern HEALTH = Pattern.compile("started health=(http://127\\.0\\.0\\.1:\\d+/health)");

    @TempDir
    Path dir;

    /** A child JVM running Main with this test's classpath; stdout and stderr merged and collected. */
    static final class Child implements AutoCloseable {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch started = new CountDownLatch(1);
        volatile String healthUrl;
        private final Thread reader;

        Child(Path cwd, Map<String, String> env, String... args) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            // The product's classpath: without other modules' test classes (the iSCSI test initiator,
            // and a second logback-test.xml that would make logback print its status).
            cp = Arrays.stream(cp.split(File.pathSeparator))
                    .filter(e -> !e.contains("iscsi-target") || !(e.contains("test-classes") || e.endsWith("-tests.jar")))
                    .collect(Collectors.joining(File.pathSeparator));
            List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                    Main.class.getName()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("STOWAGE_"));
            pb.environment().putAll(env);
            process = pb.start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        Matcher m = HEALTH.matcher(line);
                        if (m.find()) {
                            healthUrl = m.group(1);
                            started.countDown();
                        }
                    }
                } catch (IOException ignored) {
                    // process ended
                }
                started.countDown();
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        int waitForExit() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child did not exit in 60 s; output:\n" + output());
            }
            reader.join(10_000); // the last lines may still be in the pipe
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void runsAsDemoRefusesSecondInstanceAndStopsCleanlyOnSigterm() throws Exception {
        Map<String, String> env = Map.of("STOWAGE_DATA_DIR", dir.resolve("data").toString(), "STOWAGE_DEMO_S3_PORT", "0",
                "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0", "STOWAGE_DEMO_ISCSI_PORT", "0");
        Files.createDirectories(dir.resolve("cwd"));
        try (Child gateway = new Child(dir.resolve("cwd"), env, "run")) {
            assertThat(gateway.started.await(90, TimeUnit.SECONDS)).as("started within 90 s").isTrue();
            assertThat(gateway.healthUrl).as("health URL in the 'started' line; output:\n%s", gateway.output()).isNotNull();
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(gateway.healthUrl)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"ok\"");
            }
            assertThat(gateway.output()).contains("demo appliance").contains("secret access key");

            try (Child second = new Child(dir.resolve("cwd"), env, "run")) {
                assertThat(second.waitForExit()).isEqualTo(2);
                assertThat(second.output()).contains("is in use by another Stowage process")
                        .contains("pid " + gateway.process.pid());
            }

            // SIGTERM. Through the ProcessHandle: Process.destroy() would also close our end of the
            // child's output pipe, and the child's last log lines would be lost to this test.
            assertThat(gateway.process.toHandle().destroy()).isTrue();
            assertThat(gateway.waitForExit()).as("exit code after SIGTERM; output:\n%s", gateway.output()).isZero();
            String out = gateway.output();
            assertThat(out).contains("INFO  dev.stowage.server.Main stopped");
            assertThat(out.indexOf("service stopped service=iscsi")).as("iSCSI stops first")
                    .isPositive().isLessThan(out.indexOf("service stopped service=health"));
            assertThat(out.indexOf("service stopped service=health"))
                    .isPositive().isLessThan(out.indexOf("service stopped service=embedded-s3"));
        }
    }

    @Test
    void configErrorExitsWithTwoAndOneLine() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Path config = Files.writeString(dir.resolve("bad.yaml"), "s3:\n  bukcet: backups\n");
        try (Child run = new Child(cwd, Map.of(), "run", "--config", config.toString())) {
            assertThat(run.waitForExit()).isEqualTo(2);
            assertThat(run.output()).isEqualTo("config error: s3.bukcet: unknown key 's3.bukcet' (did you mean 'bucket'?); "
                    + "keys allowed in s3: bucket, checksums, credentials, embedded, embedded_port, encryption, endpoint, "
                    + "max_connections, multipart, "
                    + "path_style, prefix, region, retries, timeouts");
        }
    }
}
