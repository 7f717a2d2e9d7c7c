package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
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
 * Kills a writing child JVM with SIGKILL at random points, many times, and checks after each
 * restart that every write the child saw flushed reads back (later, unflushed writes may or may
 * not be there, block by block). At the end everything is uploaded and a cache that starts empty
 * reads the same data from the bucket alone.
 */
@Timeout(300)
class CrashRecoveryTest {
    private static final int TRIALS = 20;
    private static final int BS = CrashWorkload.BS;

    @TempDir
    Path dir;

    @Test
    void everyFlushedWriteSurvivesSigkillAndIsEventuallyUploaded() throws Exception {
        Path cacheDir = dir.resolve("cache");
        Path bucketDir = dir.resolve("bucket");
        TestBucket bucket = TestBucket.over(new DirectoryObjectStore(bucketDir));
        try (CachePool pool = bucket.open(CrashWorkload.settings(cacheDir))) {
            pool.createVolume("crash", CrashWorkload.SIZE, BS);
        }
        byte[] oracle = new byte[(int) CrashWorkload.SIZE];
        Random random = new Random(20261122);
        long totalFlushes = 0;
        long snapshots = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int trial = 0; trial < TRIALS; trial++) {
            long seed = 1000 + trial;
            int target = 1 + random.nextInt(40); // kill after this many acknowledged flushes
            long acknowledged = runAndKill(cacheDir, bucketDir, seed, target, dir.resolve("child-" + trial + ".log"));
            totalFlushes += acknowledged;
            snapshots += verifySnapshots(bucket, new CrashWorkload(seed), oracle, seen, trial);
            oracle = verifyAfterCrash(bucket, cacheDir, new CrashWorkload(seed), oracle, acknowledged, trial);
        }
        assertThat(totalFlushes).isGreaterThan(TRIALS);
        assertThat(snapshots).as("snapshots recorded by the children").isPositive();
        try (CachePool pool = bucket.open(CrashWorkload.settings(cacheDir))) {
            pool.openVolume("crash", BS);
            assertThat(pool.drain(Duration.ofSeconds(60))).isTrue();
        }
        try (CachePool fresh = bucket.open(CrashWorkload.settings(dir.resolve("fresh")))) {
            assertThat(readAll(fresh.openVolume("crash", BS))).isEqualTo(oracle);
        }
    }

    /** Starts the child, kills it after {@code target} acknowledged flushes, returns the highest acknowledged write count. */
    private long runAndKill(Path cacheDir, Path bucketDir, long seed, int target, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), cacheDir.toString(), bucketDir.toString(), Long.toString(seed)));
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

    /**
     * Every snapshot the killed child recorded (its description says after how many writes it was
     * cut) must hold exactly the volume at its cut: the state the trial started from plus those
     * writes. Snapshots cut short by the kill must simply be absent. Returns how many were checked.
     */
    private int verifySnapshots(TestBucket bucket, CrashWorkload work, byte[] before, java.util.Set<String> seen,
                                int trial) {
        int checked = 0;
        for (dev.stowage.core.store.ObjectInfo info : bucket.store().listAll(Snapshot.PREFIX)) {
            Snapshot s = Snapshot.decode(bucket.store().get(info.key()), info.key());
            if (!seen.add(s.id())) {
                continue;
            }
            long ops = Long.parseLong(s.description().substring("ops=".length()));
            byte[] expected = before.clone();
            for (long i = 0; i < ops; i++) {
                CrashWorkload.Op op = work.op(i);
                System.arraycopy(op.data(), 0, expected, (int) (op.lba() * BS), op.data().length);
            }
            var m = bucket.manifests().loadRoot(s.root());
            int slot = TestBucket.SLOT;
            for (int c = 0; c < CrashWorkload.CHUNKS; c++) {
                var id = bucket.manifests().chunkAt(m, c);
                byte[] got = id == null ? new byte[slot] : bucket.chunks().get(id);
                assertThat(got).as("trial %d snapshot %s (after %d writes) chunk %d", trial, s.id(), ops, c)
                        .isEqualTo(Arrays.copyOfRange(expected, c * slot, (c + 1) * slot));
            }
            checked++;
        }
        return checked;
    }

    /**
     * Recovers the cache and checks every block: it holds its last flushed value, or a value of a
     * write the child may have done after its last acknowledged flush. Returns the state read.
     */
    private byte[] verifyAfterCrash(TestBucket bucket, Path cacheDir, CrashWorkload work, byte[] before,
                                    long acknowledged, int trial) throws Exception {
        byte[] durable = before.clone();
        for (long i = 0; i < acknowledged; i++) {
            CrashWorkload.Op op = work.op(i);
            System.arraycopy(op.data(), 0, durable, (int) (op.lba() * BS), op.data().length);
        }
        List<CrashWorkload.Op> maybe = new ArrayList<>();
        for (long i = acknowledged; i < acknowledged + 4L * CrashWorkload.MAX_FLUSH_INTERVAL; i++) {
            maybe.add(work.op(i));
        }
        byte[] actual;
        try (CachePool pool = bucket.open(CrashWorkload.settings(cacheDir))) {
            actual = readAll(pool.openVolume("crash", BS));
        }
        for (int b = 0; b < CrashWorkload.BLOCKS; b++) {
            int at = b * BS;
            if (Arrays.equals(actual, at, at + BS, durable, at, at + BS)) {
                continue;
            }
            boolean laterWrite = false;
            for (CrashWorkload.Op op : maybe) {
                long rel = b - op.lba();
                if (rel >= 0 && rel * BS < op.data().length
                        && Arrays.equals(actual, at, at + BS, op.data(), (int) rel * BS, (int) rel * BS + BS)) {
                    laterWrite = true;
                    break;
                }
            }
            if (!laterWrite) {
                Path keep = Path.of("target", "crash-failure-" + System.nanoTime()); // kept for diagnosis
                try (var walk = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) walk::iterator) {
                        Path t = keep.resolve(dir.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(p, t);
                        }
                    }
                }
                throw new AssertionError("trial " + trial + ": block " + b + " after recovery holds neither its "
                        + "flushed value nor an unflushed later write (" + acknowledged + " writes acknowledged); it "
                        + describe(actual, at, before, work, acknowledged, b));
            }
        }
        return actual;
    }

    /** Where the block's content came from, for the failure message. */
    private static String describe(byte[] actual, int at, byte[] before, CrashWorkload work, long acknowledged, int b) {
        if (Arrays.equals(actual, at, at + BS, before, at, at + BS)) {
            return "holds its value from before this trial";
        }
        StringBuilder out = new StringBuilder(Arrays.equals(actual, at, at + BS, new byte[BS], 0, BS)
                ? "reads as zeros" : "holds other data");
        out.append("; before this trial it was ").append(Arrays.equals(before, at, at + BS, new byte[BS], 0, BS)
                ? "zeros" : "data").append("; ops touching it");
        for (long i = 0; i < acknowledged + 64; i++) {
            CrashWorkload.Op op = work.op(i);
            long rel = b - op.lba();
            if (rel >= 0 && rel * BS < op.data().length) {
                boolean same = Arrays.equals(actual, at, at + BS, op.data(), (int) rel * BS, (int) rel * BS + BS);
                out.append(' ').append(i).append(op.unmap() ? "u" : "w").append(op.data().length / BS)
                        .append('@').append(op.lba()).append(same ? "(this value)" : "");
            }
        }
        for (int t = 0; t < TRIALS; t++) {
            CrashWorkload w = new CrashWorkload(1000 + t);
            for (long i = 0; i < 2000; i++) {
                CrashWorkload.Op op = w.op(i);
                long rel = b - op.lba();
                if (rel >= 0 && rel * BS < op.data().length && !op.unmap()
                        && Arrays.equals(actual, at, at + BS, op.data(), (int) rel * BS, (int) rel * BS + BS)) {
                    out.append("; the value was written by trial ").append(t).append(" op ").append(i);
                }
                if (rel >= 0 && rel * BS < op.data().length && !op.unmap()
                        && Arrays.equals(before, at, at + BS, op.data(), (int) rel * BS, (int) rel * BS + BS)) {
                    out.append("; the expected value was written by trial ").append(t).append(" op ").append(i);
                }
            }
        }
        return out.toString();
    }

    private static byte[] readAll(CachedVolume v) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((int) CrashWorkload.SIZE);
        v.read(0, b);
        return b.array();
    }
}
