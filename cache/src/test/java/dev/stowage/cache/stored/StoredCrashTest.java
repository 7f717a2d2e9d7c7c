package dev.stowage.cache.stored;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.Snapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes a stored volume and snapshots it meanwhile, with SIGKILL at random
 * points, several times. After each kill: every flushed write reads back (later ones may or may not
 * be there, block by block), and the next snapshot, restored into a new file, equals the volume
 * exactly: no changed chunk was forgotten, not even by a snapshot killed half way.
 */
@Timeout(300)
class StoredCrashTest {
    private static final int TRIALS = 10;
    private static final int BS = StoredCrashChild.BS;

    @TempDir
    Path dir;

    @Test
    void flushedWritesSurviveSigkillAndTheNextSnapshotHoldsEverything() throws Exception {
        Path state = dir.resolve("state");
        Path file = dir.resolve("crash.img");
        Path bucketDir = dir.resolve("bucket");
        byte[] oracle = new byte[(int) StoredCrashChild.SIZE];
        Random random = new Random(20261122);
        long snapshotsByChildren = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            long seed = 500 + trial;
            int target = 1 + random.nextInt(30);
            long acknowledged = runAndKill(state, file, bucketDir, seed, target, dir.resolve("child-" + trial + ".log"));
            byte[] durable = oracle.clone();
            for (long i = 0; i < acknowledged; i++) {
                StoredCrashChild.Op op = StoredCrashChild.op(seed, i);
                System.arraycopy(op.data(), 0, durable, (int) (op.lba() * BS), op.data().length);
            }
            try (StoredVolumes m = StoredCrashChild.manager(state, bucketDir)) {
                snapshotsByChildren = m.listSnapshots("crash").size();
                StoredVolume v = m.open("crash", file, StoredCrashChild.SIZE, BS, false);
                byte[] actual = StoredFixture.readAll(v);
                checkFlushedWrites(actual, durable, seed, acknowledged, trial);
                Snapshot s = m.snapshot("crash", "after trial " + trial, Duration.ofSeconds(60));
                StoredVolume copy = m.createFromSnapshot("restored-" + trial, s.id(), dir.resolve("r" + trial + ".img"));
                assertThat(Arrays.mismatch(StoredFixture.readAll(copy), actual))
                        .as("trial %d: first byte where the snapshot differs from the volume", trial).isEqualTo(-1);
                assertThat(v.changedChunks()).isZero();
                oracle = actual;
            }
        }
        // the children's own snapshots were interrupted by kills at least sometimes, and still took some
        // (how many depends on the machine's speed: the kill points are random in time)
        assertThat(snapshotsByChildren).isPositive();
    }

    private static void checkFlushedWrites(byte[] actual, byte[] durable, long seed, long acknowledged, int trial) {
        List<StoredCrashChild.Op> maybe = new ArrayList<>();
        for (long i = acknowledged; i < acknowledged + 4L * StoredCrashChild.MAX_FLUSH_INTERVAL; i++) {
            maybe.add(StoredCrashChild.op(seed, i));
        }
        for (int b = 0; b < StoredCrashChild.BLOCKS; b++) {
            int at = b * BS;
            if (Arrays.equals(actual, at, at + BS, durable, at, at + BS)) {
                continue;
            }
            boolean later = false;
            for (StoredCrashChild.Op op : maybe) {
                long rel = b - op.lba();
                if (rel >= 0 && rel * BS < op.data().length
                        && Arrays.equals(actual, at, at + BS, op.data(), (int) rel * BS, (int) rel * BS + BS)) {
                    later = true;
                    break;
                }
            }
            assertThat(later).as("trial %d: block %d holds neither its flushed value nor a later write (%d writes "
                    + "acknowledged)", trial, b, acknowledged).isTrue();
        }
    }

    private long runAndKill(Path state, Path file, Path bucketDir, long seed, int target, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                StoredCrashChild.class.getName(), state.toString(), file.toString(), bucketDir.toString(),
                Long.toString(seed)));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong flushes = new AtomicLong();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("F ")) {
                        acknowledged.set(Long.parseLong(line.substring(2)));
                        flushes.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // the child died
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (flushes.get() < target && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        boolean diedEarly = !p.isAlive();
        p.destroyForcibly(); // SIGKILL
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join(10_000);
        assertThat(diedEarly).as("child exited by itself; see %s:%n%s", log, Files.readString(log)).isFalse();
        assertThat(flushes.get()).as("child reached its target; see %s", log).isGreaterThanOrEqualTo(target);
        return acknowledged.get();
    }
}
