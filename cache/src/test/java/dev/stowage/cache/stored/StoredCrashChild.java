package dev.stowage.cache.stored;

import dev.stowage.cache.DirectoryObjectStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * The process {@link StoredCrashTest} kills: opens stored volume {@code crash}, writes a
 * deterministic sequence forever, prints {@code F <n>} after each flush that made writes
 * {@code 0..n-1} durable, and takes snapshots from a background thread meanwhile (so kills also land
 * in the middle of snapshots). Exits by itself after two minutes in case nobody kills it.
 * Arguments: state directory, data file, bucket directory, workload seed.
 */
public final class StoredCrashChild {
    static final int BS = 512;
    static final int CHUNKS = 64;
    static final long SIZE = (long) CHUNKS * StoredFixture.CHUNK;
    static final long BLOCKS = SIZE / BS;
    /** The child flushes at least every this many writes. */
    static final int MAX_FLUSH_INTERVAL = 8;

    private StoredCrashChild() {
    }

    /** Write {@code i} of the sequence: {@code data} at {@code lba}, or an unmap of that range (data then zeros). */
    record Op(long lba, byte[] data, boolean unmap, boolean fua, boolean flushAfter) {
    }

    static Op op(long seed, long i) {
        Random r = new Random(seed * 1_000_003L + i);
        int blocks = r.nextInt(4) == 0 ? 1 + r.nextInt(256) : 1 + r.nextInt(16);
        long lba = (long) (r.nextDouble() * (BLOCKS - blocks));
        boolean unmap = r.nextInt(20) == 0;
        byte[] data = new byte[blocks * BS];
        if (!unmap) {
            r.nextBytes(data);
        }
        boolean fua = !unmap && r.nextInt(10) == 0;
        boolean flush = !fua && (r.nextInt(4) == 0 || i % MAX_FLUSH_INTERVAL == MAX_FLUSH_INTERVAL - 1);
        return new Op(lba, data, unmap, fua, flush);
    }

    static StoredVolumes manager(Path stateDir, Path bucketDir) {
        return new StoredVolumes(stateDir, StoredFixture.bucket(new DirectoryObjectStore(bucketDir)),
                StoredFixture.settings().withCowMemory(StoredFixture.CHUNK));
    }

    public static void main(String[] args) throws Exception {
        Thread guard = new Thread(() -> {
            try {
                Thread.sleep(120_000);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(3);
        });
        guard.setDaemon(true);
        guard.start();
        long seed = Long.parseLong(args[3]);
        StoredVolumes m = manager(Path.of(args[0]), Path.of(args[2]));
        StoredVolume v = m.open("crash", Path.of(args[1]), SIZE, BS, false);
        Thread snapshots = new Thread(() -> {
            try {
                while (true) {
                    m.snapshot("crash", "child", Duration.ofSeconds(30));
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                System.err.println("snapshot thread ended: " + e);
            }
        });
        snapshots.setDaemon(true);
        snapshots.start();
        for (long i = 0; i < 1_000_000; i++) {
            Op op = op(seed, i);
            if (op.unmap()) {
                v.unmap(op.lba(), op.data().length / BS);
            } else {
                v.write(op.lba(), ByteBuffer.wrap(op.data()), op.fua());
            }
            if (op.flushAfter()) {
                v.flush();
            }
            if (op.fua() || op.flushAfter()) {
                System.out.println("F " + (i + 1));
                System.out.flush();
            }
        }
        m.close();
    }
}
