package dev.stowage.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.server.Daemon;
import dev.stowage.server.FrontEnds;
import dev.stowage.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code stowage volumes | catalog | snapshot create|list|delete} against a running daemon (in-memory
 * bucket, one cached volume with a snapshot schedule), and the one-line error when no daemon runs.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AdminCommandsTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Daemon.Running start() throws Exception {
        Path config = Files.writeString(dir.resolve("stowage.yaml"), """
                s3: {endpoint: http://127.0.0.1:9, bucket: cli-test,
                     credentials: {access_key_id: K, secret_access_key: cli-test-secret-key}}
                data_dir: %s
                health: {listen: 127.0.0.1:0}
                iscsi:
                  listen: 127.0.0.1:0
                  targets:
                    - iqn: iqn.2026-11.com.example:db1
                      luns:
                        - {lun: 0, type: cached, volume: db1, size: 64MiB,
                           snapshot_schedule: {every: 6h, at: "01:00", retain: 4, time_zone: UTC}}
                cache: {size: 8MiB, chunk_size: 1MiB}
                """.formatted(dir.resolve("data")));
        InMemoryObjectStore bucket = new InMemoryObjectStore();
        return Daemon.start(new Daemon.Launch(config, Map.of(), dir, dir.toString(), s -> bucket, FrontEnds.CONFIGURED,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), InstantSource.system(), false));
    }

    @Test
    void commandsTalkToTheRunningDaemon() throws Exception {
        try (Daemon.Running daemon = start()) {
            String api = "127.0.0.1:" + daemon.health().port();
            Run volumes = cli("volumes", "--api", api);
            assertThat(volumes.code()).as(volumes.err()).isZero();
            assertThat(volumes.out()).contains("VOLUME", "db1", "cached", "64MiB", "available", "every 6h from 01:00 UTC",
                    "keep 4");

            Run created = cli("snapshot", "create", "db1", "-d", "before upgrade", "--api", api);
            assertThat(created.code()).as(created.err()).isZero();
            Matcher m = Pattern.compile("snapshot (snap-[0-9a-f]{16}) of volume db1 taken at ").matcher(created.out());
            assertThat(m.find()).as(created.out()).isTrue();
            String sid = m.group(1);

            Run list = cli("snapshot", "list", "db1", "--api", api);
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains(sid, "manual", "before upgrade");
            Run json = cli("snapshot", "list", "db1", "--json", "--api", api);
            assertThat(json.out()).contains("\"id\" : \"" + sid + "\"");

            Run catalog = cli("catalog", "--api", api);
            assertThat(catalog.code()).isZero();
            assertThat(catalog.out()).contains("db1", "available");

            Run deleted = cli("snapshot", "delete", sid, "--api", api);
            assertThat(deleted.code()).isZero();
            assertThat(deleted.out()).isEqualTo("snapshot " + sid + " of volume db1 deleted\n");

            Run again = cli("snapshot", "delete", sid, "--api", api);
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.err()).isEqualTo("error: snapshot " + sid + " does not exist\n");
            Run unknown = cli("snapshot", "list", "nosuch", "--api", api);
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).isEqualTo("error: volume nosuch does not exist\n");
            Run badId = cli("snapshot", "create", "bad/id", "--api", api);
            assertThat(badId.code()).isEqualTo(1);
            assertThat(badId.err()).startsWith("error: volume id must be 1-128 characters");
        }
    }

    @Test
    void noDaemonIsOneClearLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        Run r = cli("volumes", "--api", "127.0.0.1:" + port);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot reach the Stowage daemon at http://127.0.0.1:" + port
                + " (connection refused or timed out); is it running ('stowage run')? If it listens elsewhere, give its "
                + "health.listen address with --api host:port\n");
        assertThat(r.out()).isEmpty();
        Run bad = cli("snapshot", "list", "db1", "--api", "nonsense");
        assertThat(bad.err()).isEqualTo("error: 'nonsense' is not a host:port address; write e.g. 127.0.0.1:9480\n");
    }
}
