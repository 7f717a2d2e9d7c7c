package dev.stowage.server.iscsi;

import static dev.stowage.server.iscsi.DemoDaemonHarness.run;
import static dev.stowage.server.iscsi.DemoDaemonHarness.rw10;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stowage.iscsi.testing.TestInitiator;
import dev.stowage.server.Daemon;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo appliance's iSCSI disk, end to end over TCP: an initiator logs in without CHAP, sees
 * 1 GiB of 512-byte blocks, writes, and finds the data again after the daemon restarted on the same
 * data directory (the disk is a sparse file under it). libiscsi's {@code iscsi-readcapacity16}
 * checks the size too when it is installed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoIscsiTest {

    private static final long GIB_BLOCKS = DemoDaemonHarness.GIB_BLOCKS;

    @TempDir
    Path dataDir;

    @TempDir
    Path cwd;

    private DemoDaemonHarness demo;

    @BeforeEach
    void harness() {
        demo = new DemoDaemonHarness(dataDir, cwd);
    }

    private Daemon.Running start() throws Exception {
        return demo.start();
    }

    private int port() {
        return demo.port();
    }

    private static TestInitiator login(int port) throws IOException {
        return DemoDaemonHarness.login(port, Daemon.DEMO_IQN, 0x0000_0001_0203L);
    }

    @Test
    void demoDiskHasTheRightSizeAndKeepsDataAcrossRestart() throws Exception {
        byte[] data = new byte[64 * 1024];
        new Random(42).nextBytes(data);
        long lba = GIB_BLOCKS - 128 - 1000;
        Path image = dataDir.resolve("iscsi/demo-disk.img");
        try (Daemon.Running running = start()) {
            assertThat(demo.banner()).contains(Daemon.DEMO_IQN, "(no CHAP)", "LUN 0: 1 GiB, file " + image);
            int port = port();
            try (TestInitiator i = login(port)) {
                byte[] cdb = new byte[16];
                cdb[0] = (byte) 0x9e;
                cdb[1] = 0x10;
                cdb[13] = 32;
                ByteBuffer cap = ByteBuffer.wrap(run(i, cdb, null, 32, true).data());
                assertThat(cap.getLong(0)).as("last LBA").isEqualTo(GIB_BLOCKS - 1);
                assertThat(cap.getInt(8)).as("block length").isEqualTo(512);
                run(i, rw10(0x2a, lba, data.length / 512), data, data.length, false);
                run(i, new byte[10], null, 0, false); // TEST UNIT READY
                byte[] sync = new byte[10];
                sync[0] = 0x35;
                run(i, sync, null, 0, false);
                i.logout();
            }
        }
        assertThat(Files.size(image)).isEqualTo(1L << 30);
        try (Daemon.Running again = start(); TestInitiator i = login(port())) {
            byte[] back = run(i, rw10(0x28, lba, data.length / 512), null, data.length, true).data();
            assertThat(back).as("data written before the restart").isEqualTo(data);
            byte[] zeros = run(i, rw10(0x28, 0, 8), null, 4096, true).data();
            assertThat(zeros).as("never-written blocks read as zeros").containsOnly(0);
        }
    }

    /** libiscsi's tools see the disk and its size, when installed (Debian package libiscsi-bin); skipped otherwise. */
    @Test
    void libiscsiToolsSeeTheDisk() throws Exception {
        Path tool = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .map(d -> Path.of(d, "iscsi-readcapacity16")).filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(tool != null, "iscsi-readcapacity16 not installed (apt-get install libiscsi-bin)");
        try (Daemon.Running running = start()) {
            String url = "iscsi://127.0.0.1:" + port() + "/" + Daemon.DEMO_IQN + "/0";
            assertThat(runTool(tool.toString(), url)).contains("RETURNED LOGICAL BLOCK ADDRESS:" + (GIB_BLOCKS - 1))
                    .contains("LOGICAL BLOCK LENGTH IN BYTES:512").contains("Total size:" + (1L << 30));
            assertThat(runTool(tool.resolveSibling("iscsi-inq").toString(), url)).contains("STOWAGE", "VIRTUAL-DISK");
        }
    }

    private static String runTool(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd[0] + " did not finish in 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s exit code; output:\n%s", cmd[0], out).isZero();
        return out;
    }
}
