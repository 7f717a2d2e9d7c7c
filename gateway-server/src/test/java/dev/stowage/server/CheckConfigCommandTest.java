package dev.stowage.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckConfigCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String yaml, Map<String, String> env) throws Exception {
        Path f = Files.writeString(dir.resolve("stowage.yaml"), yaml);
        return Main.CheckConfig.check(f, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void validFileExitsZero() throws Exception {
        assertThat(check("s3:\n  bucket: backups\n  endpoint: http://127.0.0.1:9000\n"
                + "  credentials: {access_key_id: K, secret_access_key: checkConfigSecret}\n", Map.of())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("config ok: ").contains("bucket backups")
                .doesNotContain("checkConfigSecret");
    }

    @Test
    void invalidFileExitsTwoWithOneLine() throws Exception {
        assertThat(check("s3:\n  bucket: backups\n  endpoint: htp://x\n", Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
                "config error: s3.endpoint: 'htp://x' is not a valid http(s) URL; write it like https://s3.example.com:9000"
                        + System.lineSeparator());
    }

    @Test
    void versionOption() {
        StringBuilder sb = new StringBuilder();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(new java.io.Writer() {
            @Override
            public void write(char[] c, int o, int l) {
                sb.append(c, o, l);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        }, true));
        assertThat(cl.execute("--version")).isZero();
        assertThat(sb.toString().strip()).isEqualTo("stowage " + Version.get()).doesNotContain("unknown");
    }
}
