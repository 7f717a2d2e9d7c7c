package dev.stowage.cache;

import java.util.Random;

/**
 * The deterministic write sequence of the crash test: the child process performs it, the parent
 * recomputes it to know what each write held. Op {@code i} depends only on the seed and {@code i}.
 */
final class CrashWorkload {
    static final int BS = 512;
    static final int CHUNKS = 64;
    static final long SIZE = (long) CHUNKS * TestBucket.SLOT;
    static final long BLOCKS = SIZE / BS;
    /** The child flushes at least every this many writes. */
    static final int MAX_FLUSH_INTERVAL = 8;
    /** The child cuts a snapshot every this many writes. */
    static final int SNAPSHOT_INTERVAL = 20;

    /**
     * One write of {@code data} at {@code lba}, or an unmap of that range ({@code data} is then the
     * zeros it leaves); {@code fua} or {@code flushAfter} make it (and all before) durable.
     */
    record Op(long lba, byte[] data, boolean unmap, boolean fua, boolean flushAfter) {
    }

    private final long seed;

    CrashWorkload(long seed) {
        this.seed = seed;
    }

    Op op(long i) {
        Random r = new Random(seed * 1_000_003L + i);
        int kind = r.nextInt(24);
        int blocks = r.nextInt(4) == 0 ? 1 + r.nextInt(256) : 1 + r.nextInt(16);
        long lba = (long) (r.nextDouble() * (BLOCKS - blocks));
        if (kind == 0) { // whole chunks
            int perChunk = TestBucket.SLOT / BS;
            blocks = perChunk * (1 + r.nextInt(2));
            lba = (long) r.nextInt(CHUNKS - 1) * perChunk;
        }
        byte[] data = new byte[blocks * BS];
        boolean unmap = kind < 2;
        if (!unmap) {
            r.nextBytes(data);
        }
        boolean fua = !unmap && r.nextInt(10) == 0;
        boolean flush = !fua && (r.nextInt(4) == 0 || i % MAX_FLUSH_INTERVAL == MAX_FLUSH_INTERVAL - 1);
        return new Op(lba, data, unmap, fua, flush);
    }

    static CacheSettings settings(java.nio.file.Path cacheDir) {
        return TestBucket.settings(cacheDir, 24).withJournalLimit(64 * 1024);
    }
}
