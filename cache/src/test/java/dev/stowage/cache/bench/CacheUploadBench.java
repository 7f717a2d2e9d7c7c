package dev.stowage.cache.bench;

import dev.stowage.cache.CachePool;
import dev.stowage.cache.CacheSettings;
import dev.stowage.cache.CachedVolume;
import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkCodec;
import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.chunk.ChunkStoreStats;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.core.store.s3.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;

/**
 * Upload benchmarks of the write-back cache against an in-process S3Proxy (filesystem backend,
 * HTTP on 127.0.0.1), run by {@code tools/bench/cache-upload.sh}; prints figures, asserts nothing.
 *
 * <ol>
 *   <li>Drain rate: a plain parallel PUT loop of distinct random 1 MiB objects through
 *       {@link S3ObjectStore#put} against the cache uploading the same amount of distinct random
 *       data with the same parallelism (time of {@link CachePool#drain}).</li>
 *   <li>Incremental snapshot cost: bytes written to the bucket for a second snapshot after
 *       rewriting 1% of a volume, spread (4 KiB writes) or contiguous, per cache slot size.</li>
 * </ol>
 *
 * Single-threaded driver; the pool and the PUT loop use their own threads. Any failure ends the
 * run with the exception (exit code 1); the scratch directory is deleted either way.
 */
public final class CacheUploadBench {
    private static final long MIB = 1L << 20;
    private static final int BLOCK = 4096;
    private static final Duration LONG = Duration.ofMinutes(30);
    private static final String ACCESS = "stowage-bench-access";
    private static final String SECRET = "stowage-bench-secret-not-a-real-one";
    private static final String BUCKET = "bench";
    /** As the gateway's cache service opens its chunk store: conditional put, HEAD when refused. */
    private static final BucketChunkStore.Options CHUNK_OPTIONS =
            BucketChunkStore.Options.DEFAULT.withProbe(BucketChunkStore.DedupProbe.AUTO);

    private final long totalMiB;
    private final int rounds;
    private final int parallel;
    private final long volumeMiB;
    private final int[] slotSizesKiB;
    private final Path scratch;
    private final SplittableRandom random = new SplittableRandom(20261122L);
    private S3Proxy proxy;
    private URI endpoint;
    private int run;

    private CacheUploadBench(long totalMiB, int rounds, int parallel, long volumeMiB, int[] slotSizesKiB,
                             Path scratch) {
        this.totalMiB = totalMiB;
        this.rounds = rounds;
        this.parallel = parallel;
        this.volumeMiB = volumeMiB;
        this.slotSizesKiB = slotSizesKiB;
        this.scratch = scratch;
    }

    public static void main(String[] args) throws Exception {
        long total = 256;
        int rounds = 3;
        int parallel = 8;
        long volume = 256;
        String slots = "1024,64";
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        String only = "all";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--total-mib" -> total = positive(a, v);
                case "--rounds" -> rounds = (int) positive(a, v);
                case "--parallel" -> parallel = (int) positive(a, v);
                case "--volume-mib" -> volume = positive(a, v);
                case "--slot-kib" -> slots = v;
                case "--dir" -> dir = Path.of(v);
                case "--only" -> only = v;
                default -> usage("unknown option " + a);
            }
        }
        int[] slotKiB = Stream.of(slots.split(",")).mapToInt(s -> (int) positive("--slot-kib", s.trim())).toArray();
        if (!only.equals("all") && !only.equals("drain") && !only.equals("snapshot")) {
            usage("--only must be all, drain or snapshot");
        }
        Files.createDirectories(dir);
        Path scratch = Files.createTempDirectory(dir, "cache-upload-bench-");
        CacheUploadBench bench = new CacheUploadBench(total, rounds, parallel, volume, slotKiB, scratch);
        try {
            bench.start();
            if (!only.equals("snapshot")) {
                bench.drainRate();
            }
            if (!only.equals("drain")) {
                bench.incrementalSnapshots();
            }
        } finally {
            bench.stop();
            deleteTree(scratch);
        }
    }

    private static long positive(String option, String value) {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        usage(option + " needs a positive whole number, got '" + value + "'");
        return 0;
    }

    private static void usage(String problem) {
        System.err.println("cache-upload bench: " + problem);
        System.err.println("options: --total-mib N (drain test, default 256) --rounds R (default 3) --parallel P (default 8)"
                + " --volume-mib N (snapshot test, default 256) --slot-kib 1024,64 --dir DIR --only all|drain|snapshot");
        System.exit(2);
    }

    private void start() throws Exception {
        Path data = scratch.resolve("s3");
        Files.createDirectories(data.resolve(BUCKET));
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", data.toString());
        proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem-nio2", props))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .jettyMaxThreads(Math.max(24, 3 * parallel))
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    private void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
    }

    /** A store on its own key prefix, so runs never share (and never deduplicate against) objects. */
    private S3ObjectStore store(String name) {
        S3Settings s = S3Settings.of(endpoint, "us-east-1", BUCKET, new S3Settings.Credentials.Static(ACCESS, SECRET, null))
                .withPrefix(name + "-" + (++run) + "/");
        return new S3ObjectStore(s);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    // ---------------------------------------------------------------- 1. drain rate

    private void drainRate() throws Exception {
        System.out.printf("%n== Upload drain rate: %d MiB of distinct random data, parallelism %d, 1 MiB objects/chunks,"
                + " %d rounds ==%n", totalMiB, parallel, rounds);
        // Untimed warm-up of both sides (JIT, HTTP client, S3Proxy), so neither pays for it in a timed run.
        long warm = Math.min(totalMiB, 64);
        plainLoop(warm);
        cacheDrain(warm, false);
        cacheDrain(warm, true);
        // Rounds alternate PUT loop and cache runs, so load changes on a shared machine hit both sides;
        // each cache run is compared with the mean of the PUT loops just before and after it.
        double[] plain = new double[rounds + 1];
        double[] plainCpu = new double[rounds + 1];
        DrainResult[] settled = new DrainResult[rounds];
        DrainResult[] live = new DrainResult[rounds];
        plain[0] = plainLoop(totalMiB);
        plainCpu[0] = lastCpuMsPerMiB;
        for (int r = 0; r < rounds; r++) {
            settled[r] = cacheDrain(totalMiB, false);
            live[r] = cacheDrain(totalMiB, true);
            plain[r + 1] = plainLoop(totalMiB);
            plainCpu[r + 1] = lastCpuMsPerMiB;
        }
        System.out.printf("%-7s %14s %14s %7s %16s %7s%n", "round", "PUT loop MiB/s", "drain MiB/s", "ratio",
                "settle-0 MiB/s", "ratio");
        double[] ratios = new double[rounds];
        double[] liveRatios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double p = (plain[r] + plain[r + 1]) / 2;
            ratios[r] = settled[r].mibPerSec / p;
            liveRatios[r] = live[r].mibPerSec / p;
            System.out.printf("%-7d %14s %14.1f %7.2f %16.1f %7.2f%n", r + 1,
                    String.format("%.1f/%.1f", plain[r], plain[r + 1]), settled[r].mibPerSec, ratios[r],
                    live[r].mibPerSec, liveRatios[r]);
        }
        System.out.printf("CPU ms per MiB (whole process, client and S3Proxy): PUT loop %s; drain %s; settle 0 %s"
                + " (settle 0 includes writing into the cache)%n", cpuList(plainCpu), cpuList(settled, false),
                cpuList(live, true));
        System.out.printf("drain / PUT loop: median %.2f, range %.2f-%.2f; settle 0: median %.2f, range %.2f-%.2f%n",
                median(ratios), min(ratios), max(ratios), median(liveRatios), min(liveRatios), max(liveRatios));
        System.out.printf("  cache drain objects PUT: %d (%d MiB); data chunks uploaded: %d%n", settled[0].puts,
                settled[0].bytes / MIB, settled[0].chunks);
    }

    private static String cpuList(double[] v) {
        return String.join(" ", java.util.Arrays.stream(v).mapToObj(x -> String.format("%.1f", x)).toList());
    }

    private static String cpuList(DrainResult[] v, boolean unused) {
        return cpuList(java.util.Arrays.stream(v).mapToDouble(DrainResult::cpuMsPerMiB).toArray());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** CPU time of this whole process (client and S3Proxy), nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private double plainLoop(long mib) throws Exception {
        int n = (int) mib;
        List<byte[]> objects = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            objects.add(randomBytes((int) MIB));
        }
        try (S3ObjectStore store = store("plain")) {
            store.put("warmup", randomBytes(1024), PutOptions.DEFAULT);
            ExecutorService pool = Executors.newFixedThreadPool(parallel);
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < parallel; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        store.put(String.format("obj/%08d", i), objects.get(i), PutOptions.DEFAULT);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            long nanos = System.nanoTime() - t0;
            lastCpuMsPerMiB = (processCpuNanos() - cpu0) / 1e6 / mib;
            pool.shutdown();
            return mib / (nanos / 1e9);
        }
    }

    private double lastCpuMsPerMiB;

    private record DrainResult(double mibPerSec, long puts, long bytes, long chunks, double cpuMsPerMiB) {
    }

    /**
     * Writes totalMiB of random data to a fresh volume. With {@code live} the settle delay is 0 and
     * the clock runs from the first write; otherwise the settle delay holds uploads back and only
     * the drain is timed.
     */
    private DrainResult cacheDrain(long totalMiB, boolean live) throws Exception {
        int slot = (int) MIB;
        Path dir = scratch.resolve("cache-" + (++run));
        // More than twice the data in slots: the uploader treats a cache more than half dirty as
        // urgent and would start uploading during the untimed write phase.
        CacheSettings settings = CacheSettings.defaults(dir, 2 * (int) totalMiB + 64).withSlotSize(slot)
                .withUploadThreads(parallel).withSettleDelay(live ? Duration.ZERO : Duration.ofHours(1));
        try (CountingObjectStore store = new CountingObjectStore(store(live ? "live" : "drain"));
             CachePool pool = open(settings, store)) {
            CachedVolume v = pool.createVolume("vol", totalMiB * MIB, BLOCK);
            long before = store.bytes();
            long putsBefore = store.puts();
            long chunksBefore = pool.metrics().chunksUploaded();
            byte[] buf = new byte[slot];
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            for (long c = 0; c < totalMiB; c++) {
                random.nextBytes(buf);
                v.write(c * slot / BLOCK, ByteBuffer.wrap(buf), false);
            }
            long early = pool.metrics().chunksUploaded() - chunksBefore;
            if (!live) {
                t0 = System.nanoTime();
                cpu0 = processCpuNanos();
                if (early > 0) {
                    throw new IllegalStateException(early + " chunks went up before the drain started; the drain"
                            + " figure would be wrong");
                }
            }
            if (!pool.drain(LONG)) {
                throw new IllegalStateException("drain did not finish within " + LONG);
            }
            long nanos = System.nanoTime() - t0;
            return new DrainResult(totalMiB / (nanos / 1e9), store.puts() - putsBefore, store.bytes() - before,
                    pool.metrics().chunksUploaded() - chunksBefore, (processCpuNanos() - cpu0) / 1e6 / totalMiB);
        } finally {
            deleteTree(dir);
        }
    }

    private CachePool open(CacheSettings settings, ObjectStore store) throws IOException {
        byte[] secret = randomBytes(32);
        BucketChunkStore chunks = new BucketChunkStore(store, new ChunkHasher(secret),
                new ChunkCodec(ChunkCodec.Settings.DEFAULT, null), CHUNK_OPTIONS);
        return CachePool.open(settings, chunks, new ManifestStore(chunks, 1024), store);
    }

    // ---------------------------------------------------------------- 2. incremental snapshots

    private void incrementalSnapshots() throws Exception {
        long volume = volumeMiB * MIB;
        long rewrite = volume / 100 / BLOCK * BLOCK;
        System.out.printf("%n== Second snapshot after rewriting 1%% (%d KiB) of a %d MiB volume of random data ==%n",
                rewrite / 1024, volumeMiB);
        System.out.printf("%-10s %-22s %8s %12s %12s %8s %10s%n", "slot", "rewrite", "chunks", "chunk MiB",
                "all PUT MiB", "objects", "% volume");
        for (int kib : slotSizesKiB) {
            for (boolean spread : new boolean[] {true, false}) {
                snapshotCase(kib * 1024, spread);
            }
        }
        System.out.println("  chunk MiB: data chunks (cache counter, plaintext); all PUT MiB: every object PUT for"
                + " the second snapshot (chunks, manifest pages, head, snapshot record); % volume uses all PUT bytes.");
    }

    private void snapshotCase(int slot, boolean spread) throws Exception {
        long volume = volumeMiB * MIB;
        long rewrite = volume / 100 / BLOCK * BLOCK;
        Path dir = scratch.resolve("cache-" + (++run));
        int slotsNeeded = (int) (volume / slot) + 64;
        CacheSettings settings = CacheSettings.defaults(dir, slotsNeeded).withSlotSize(slot)
                .withUploadThreads(parallel).withSettleDelay(Duration.ofHours(1));
        try (CountingObjectStore store = new CountingObjectStore(store("snap"));
             CachePool pool = open(settings, store)) {
            CachedVolume v = pool.createVolume("vol", volume, BLOCK);
            byte[] buf = new byte[(int) MIB];
            for (long off = 0; off < volume; off += MIB) {
                random.nextBytes(buf);
                v.write(off / BLOCK, ByteBuffer.wrap(buf), false);
            }
            pool.snapshots().snapshot("vol", "base", LONG);
            long bytes0 = store.bytes();
            long puts0 = store.puts();
            long chunkBytes0 = pool.metrics().cloudBytesUploaded();
            long chunks0 = pool.metrics().chunksUploaded();
            String what;
            if (spread) {
                int blocks = (int) (rewrite / BLOCK);
                long total = volume / BLOCK;
                TreeSet<Long> picked = new TreeSet<>();
                while (picked.size() < blocks) {
                    picked.add(random.nextLong(total));
                }
                byte[] small = new byte[BLOCK];
                for (long lba : picked) {
                    random.nextBytes(small);
                    v.write(lba, ByteBuffer.wrap(small), false);
                }
                what = blocks + " x 4 KiB random";
            } else {
                long start = random.nextLong((volume - rewrite) / BLOCK);
                byte[] run = randomBytes((int) rewrite);
                v.write(start, ByteBuffer.wrap(run), false);
                what = (rewrite / 1024) + " KiB contiguous";
            }
            pool.snapshots().snapshot("vol", "after 1% rewrite", LONG);
            long bytes = store.bytes() - bytes0;
            long chunkBytes = pool.metrics().cloudBytesUploaded() - chunkBytes0;
            System.out.printf("%-10s %-22s %8d %12.2f %12.2f %8d %9.2f%%%n", slot / 1024 + " KiB", what,
                    pool.metrics().chunksUploaded() - chunks0, chunkBytes / (double) MIB, bytes / (double) MIB,
                    store.puts() - puts0, 100.0 * bytes / volume);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
