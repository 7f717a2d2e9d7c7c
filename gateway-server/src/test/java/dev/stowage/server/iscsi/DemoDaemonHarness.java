package dev.stowage.server.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.iscsi.testing.TestInitiator;
import dev.stowage.server.Daemon;
import dev.stowage.server.FrontEnds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the demo appliance in this JVM on free ports (embedded S3, health, iSCSI) over a given
 * data directory, and talks to its iSCSI disks with the test initiator. Not thread-safe: one per test.
 */
final class DemoDaemonHarness {
    static final long GIB_BLOCKS = (1L << 30) / 512;
    private static final Pattern PORTAL = Pattern.compile("iSCSI: +portal 127\\.0\\.0\\.1:(\\d+)");

    private final Path dataDir;
    private final Path cwd;
    private final ByteArrayOutputStream banner = new ByteArrayOutputStream();

    DemoDaemonHarness(Path dataDir, Path cwd) {
        this.dataDir = dataDir;
        this.cwd = cwd;
    }

    /** Starts (or restarts) the demo on the same data directory; the banner is captured afresh. */
    Daemon.Running start() throws Exception {
        banner.reset();
        Map<String, String> env = Map.of("STOWAGE_DATA_DIR", dataDir.toString(), "STOWAGE_DEMO_S3_PORT", "0",
                "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0", "STOWAGE_DEMO_ISCSI_PORT", "0");
        return Daemon.start(new Daemon.Launch(null, env, cwd, cwd.toString(), S3ObjectStore::new, FrontEnds.CONFIGURED,
                new PrintStream(banner, true, StandardCharsets.UTF_8), InstantSource.system(), false));
    }

    /** What the last start printed. */
    String banner() {
        return banner.toString(StandardCharsets.UTF_8);
    }

    /** The portal port printed in the banner (the demo was asked for any free port). */
    int port() {
        Matcher m = PORTAL.matcher(banner());
        assertThat(m.find()).as("portal in banner:\n%s", banner()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Logs in to {@code iqn} without CHAP with the given ISID. */
    static TestInitiator login(int port, String iqn, long isid) throws IOException {
        TestInitiator i = new TestInitiator(new InetSocketAddress("127.0.0.1", port), isid);
        assertThat(i.login(iqn, Map.of()).statusClass()).as("login status class").isZero();
        return i;
    }

    /** Runs a command on LUN 0, once more after the UNIT ATTENTION every new nexus gets first; asserts GOOD. */
    static TestInitiator.Result run(TestInitiator i, byte[] cdb, byte[] out, int length, boolean read) throws IOException {
        TestInitiator.Result r = i.command(0, cdb, out, length, read, 0);
        if (r.status() == 2 && r.sense() != null && r.sense().length > 2 && (r.sense()[2] & 0x0f) == 6) {
            r = i.command(0, cdb, out, length, read, 0);
        }
        assertThat(r.status()).as("SCSI status of opcode 0x%02x", cdb[0]).isZero();
        return r;
    }

    /** A READ(10) (0x28) or WRITE(10) (0x2a) CDB. */
    static byte[] rw10(int opcode, long lba, int blocks) {
        byte[] cdb = new byte[10];
        cdb[0] = (byte) opcode;
        ByteBuffer.wrap(cdb).putInt(2, (int) lba).putShort(7, (short) blocks);
        return cdb;
    }
}
