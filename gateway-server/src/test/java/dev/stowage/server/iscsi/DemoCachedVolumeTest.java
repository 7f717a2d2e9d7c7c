package dev.stowage.server.iscsi;

import static dev.stowage.server.iscsi.DemoDaemonHarness.run;
import static dev.stowage.server.iscsi.DemoDaemonHarness.rw10;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.ObjectInfo;
import dev.stowage.iscsi.testing.TestInitiator;
import dev.stowage.server.Daemon;
import dev.stowage.server.StartupException;
import dev.stowage.server.cache.CacheService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
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
        return DemoDaemonHarness.login(port, Daemon.DEMO_CACHED_IQN, 0x0000_0001_0207L);
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
            String text = demo.banner();
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
