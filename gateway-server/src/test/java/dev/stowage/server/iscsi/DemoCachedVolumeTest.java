package dev.stowage.server.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.iscsi.testing.TestInitiator;
import dev.stowage.server.Daemon;
import dev.stowage.server.FrontEnds;
import dev.stowage.server.StartupException;
import dev.stowage.server.cache.CacheService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo appliance's cached volume, end to end over TCP: an initiator writes to
 * {@code iqn.2026-11.dev.stowage:demo-cached} and issues SYNCHRONIZE CACHE; the data reads back
 * after a restart (from the cache journal), reaches the bucket as chunks plus a volume head once
 * the upload drained, and reads back from the bucket alone with a fresh cache directory. A lost
 * chunk-id key file then stops the start with a clear message.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoCachedVolumeTest {

    private static final long GIB_BLOCKS = (1L << 30) / 512;
    private static final Pattern PORTAL = Pattern.compile("iSCSI: +portal 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dataDir;

    @TempDir
    Path cwd;

    private final ByteArrayOutputStream banner = new ByteArrayOutputStream();

    private Daemon.Running start() throws Exception {
        banner.reset();
        Map<String, String> env = Map.of("STOWAGE_DATA_DIR", dataDir.toString(), "STOWAGE_DEMO_S3_PORT", "0",
                "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0", "STOWAGE_DEMO_ISCSI_PORT", "0");
        return Daemon.start(new Daemon.Launch(null, env, cwd, cwd.toString(), S3ObjectStore::new, FrontEnds.CONFIGURED,
                new PrintStream(banner, true, StandardCharsets.UTF_8), InstantSource.system(), false));
    }

    private int port() {
        Matcher m = PORTAL.matcher(banner.toString(StandardCharsets.UTF_8));
        assertThat(m.find()).as("portal in banner:\n%s", banner).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Runs a command, once more after the UNIT ATTENTION every new nexus gets first. */
    private static TestInitiator.Result run(TestInitiator i, byte[] cdb, byte[] out, int length, boolean read) throws IOException {
        TestInitiator.Result r = i.command(0, cdb, out, length, read, 0);
        if (r.status() == 2 && r.sense() != null && r.sense().length > 2 && (r.sense()[2] & 0x0f) == 6) {
            r = i.command(0, cdb, out, length, read, 0);
        }
        assertThat(r.status()).as("SCSI status of opcode 0x%02x", cdb[0]).isZero();
        return r;
    }

    private static TestInitiator login(int port) throws IOException {
        TestInitiator i = new TestInitiator(new InetSocketAddress("127.0.0.1", port), 0x0000_0001_0207L);
        assertThat(i.login(Daemon.DEMO_CACHED_IQN, Map.of()).statusClass()).as("login status class").isZero();
        return i;
    }

    private static byte[] rw10(int opcode, long lba, int blocks) {
        byte[] cdb = new byte[10];
        cdb[0] = (byte) opcode;
        ByteBuffer.wrap(cdb).putInt(2, (int) lba).putShort(7, (short) blocks);
        return cdb;
    }

    private static byte[] readBack(int port, long lba, int bytes) throws IOException {
        try (TestInitiator i = login(port)) {
            return run(i, rw10(0x28, lba, bytes / 512), null, bytes, true).data();
        }
    }

    private static List<String> keys(Daemon.Running r, String prefix) {
        List<String> out = new ArrayList<>();
        for (ObjectInfo o : r.store().listAll(prefix)) {
            out.add(o.key());
        }
        return out;
    }

    @Test
    void cachedVolumeKeepsDataAcrossRestartUploadsItAndReadsItBackFromTheBucket() throws Exception {
        byte[] data = new byte[3 * 64 * 1024 + 4096]; // crosses a 1 MiB chunk edge
        new Random(7).nextBytes(data);
        long lba = (1L << 20) / 512 - 64; // starts 32 KiB before the first chunk boundary
        long tail = GIB_BLOCKS - 8;
        byte[] last = new byte[4096];
        new Random(8).nextBytes(last);
        Path keyFile = dataDir.resolve("keys/chunk-id.key");

        try (Daemon.Running running = start()) {
            String text = banner.toString(StandardCharsets.UTF_8);
            assertThat(text).contains(Daemon.DEMO_IQN, Daemon.DEMO_CACHED_IQN, "LUN 0: 1 GiB, cached volume demo-cached",
                    "LUN 0: 1 GiB, file ");
            assertThat(text).contains("cache:", dataDir.resolve("cache") + ", 256 MiB, 1 MiB chunks",
                    "chunk-id key " + keyFile + " (back it up)");
            try (TestInitiator i = login(port())) {
                byte[] cdb = new byte[16];
                cdb[0] = (byte) 0x9e;
                cdb[1] = 0x10;
                cdb[13] = 32;
                ByteBuffer cap = ByteBuffer.wrap(run(i, cdb, null, 32, true).data());
                assertThat(cap.getLong(0)).as("last LBA").isEqualTo(GIB_BLOCKS - 1);
                run(i, rw10(0x2a, lba, data.length / 512), data, data.length, false);
                run(i, rw10(0x2a, tail, 8), last, last.length, false);
                byte[] sync = new byte[10];
                sync[0] = 0x35;
                run(i, sync, null, 0, false);
                i.logout();
            }
        }
        assertThat(Files.getPosixFilePermissions(keyFile)).as("chunk-id key file mode")
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(keyFile.getParent())).as("keys directory mode")
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        String key = Files.readString(keyFile);

        // (a) restart on the same cache: the data reads back.
        try (Daemon.Running again = start()) {
            int port = port();
            assertThat(readBack(port, lba, data.length)).as("data written before the restart").isEqualTo(data);
            assertThat(readBack(port, tail, 4096)).as("last blocks").isEqualTo(last);
            assertThat(readBack(port, 0, 4096)).as("never-written blocks").containsOnly(0);

            // (b) once the uploader drained, the bucket holds chunks and the volume's head.
            assertThat(again.service(CacheService.class).pool().drain(Duration.ofMinutes(2))).as("drained").isTrue();
            assertThat(keys(again, "chunks/")).as("chunk objects").isNotEmpty();
            assertThat(keys(again, "volumes/demo-cached/")).contains("volumes/demo-cached/head");
        }
        assertThat(Files.readString(keyFile)).as("key file never rewritten").isEqualTo(key);

        // (c) a fresh cache directory, same bucket and keys: the data comes back from the bucket.
        deleteTree(dataDir.resolve("cache"));
        try (Daemon.Running fresh = start()) {
            int port = port();
            assertThat(readBack(port, lba, data.length)).as("data read from the bucket").isEqualTo(data);
            assertThat(readBack(port, tail, 4096)).as("last blocks from the bucket").isEqualTo(last);
            assertThat(readBack(port, 8, 4096)).as("never-written blocks").containsOnly(0);
        }

        // A lost chunk-id key with volumes in the bucket: a clear one-line refusal, nothing generated.
        Files.delete(keyFile);
        assertThatThrownBy(this::start).isInstanceOf(StartupException.class)
                .hasMessageContaining(keyFile.toString())
                .hasMessageContaining("cannot be addressed without it")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(keyFile).doesNotExist();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
