package dev.stowage.cache.stored.bench;

import dev.stowage.cache.stored.Bucket;
import dev.stowage.cache.stored.StoredVolume;
import dev.stowage.cache.stored.StoredVolumeSettings;
import dev.stowage.cache.stored.StoredVolumes;
import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkCodec;
import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.FileBlockDevice;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * Rough in-process numbers for a stored volume against a plain file disk (not a unit test):
 * sequential 1 MiB writes to fresh chunks (each needs a forced dirty-map record first), random 4 KiB
 * writes to chunks already marked, and the upload rate of a full snapshot into an in-memory bucket.
 * Argument: a scratch directory (deleted files are left behind for inspection).
 */
public final class StoredVolumeBench {
    private static final long SIZE = 256L << 20;

    private StoredVolumeBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        byte[] secret = new byte[32];
        InMemoryObjectStore store = new InMemoryObjectStore();
        BucketChunkStore chunks = new BucketChunkStore(store, new ChunkHasher(secret), new ChunkCodec(ChunkCodec.Settings.DEFAULT, null),
                BucketChunkStore.Options.DEFAULT);
        Bucket bucket = new Bucket(chunks, new ManifestStore(chunks, 256), store);
        try (FileBlockDevice plain = FileBlockDevice.create(dir.resolve("plain.img"), 512, SIZE / 512);
             StoredVolumes m = new StoredVolumes(dir.resolve("state"), bucket, StoredVolumeSettings.defaults())) {
            StoredVolume v = m.open("bench", dir.resolve("stored.img"), SIZE, 512, false);
            for (int round = 0; round < 2; round++) {
                System.out.printf("round %d%n", round);
                report("  plain file, sequential 1 MiB", sequential(plain), SIZE);
                report("  stored volume, sequential 1 MiB (fresh chunks)", sequential(v), SIZE);
                report4k("  plain file, random 4 KiB", random4k(plain, 20000));
                report4k("  stored volume, random 4 KiB (chunks marked)", random4k(v, 20000));
                long t = System.nanoTime();
                m.snapshot("bench", "bench", Duration.ofMinutes(5));
                report("  snapshot of all changed chunks (in-memory bucket)", System.nanoTime() - t, SIZE);
            }
        }
    }

    private static long sequential(BlockDevice d) throws Exception {
        byte[] b = new byte[1 << 20];
        new Random(1).nextBytes(b);
        long t = System.nanoTime();
        for (long off = 0; off < SIZE; off += b.length) {
            d.write(off / 512, ByteBuffer.wrap(b), false);
        }
        d.flush();
        return System.nanoTime() - t;
    }

    private static long random4k(BlockDevice d, int n) throws Exception {
        Random r = new Random(2);
        byte[] b = new byte[4096];
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            r.nextBytes(b);
            d.write((long) r.nextInt((int) (SIZE / 4096)) * 8, ByteBuffer.wrap(b), false);
        }
        return (System.nanoTime() - t) / n;
    }

    private static void report(String what, long nanos, long bytes) {
        System.out.printf("%-55s %8.0f MiB/s%n", what, bytes / (1024.0 * 1024) / (nanos / 1e9));
    }

    private static void report4k(String what, long nanosPerOp) {
        System.out.printf("%-55s %8.0f IOPS%n", what, 1e9 / nanosPerOp);
    }
}
