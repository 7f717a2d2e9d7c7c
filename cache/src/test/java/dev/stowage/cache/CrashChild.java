package dev.stowage.cache;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The process the crash test kills: opens the cache, writes the {@link CrashWorkload} forever and
 * prints {@code F <n>} after each flush that made writes {@code 0..n-1} durable. Every
 * {@link CrashWorkload#SNAPSHOT_INTERVAL} writes it cuts a snapshot described as {@code ops=<n>}
 * (the volume after writes {@code 0..n-1}) and completes it in the background. Exits by itself
 * after two minutes in case nobody kills it.
 * Arguments: cache directory, bucket directory, workload seed.
 */
public final class CrashChild {
    private CrashChild() {
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
        Path cacheDir = Path.of(args[0]);
        TestBucket bucket = TestBucket.over(new DirectoryObjectStore(Path.of(args[1])));
        CrashWorkload work = new CrashWorkload(Long.parseLong(args[2]));
        CachePool pool = bucket.open(CrashWorkload.settings(cacheDir));
        CachedVolume v = pool.openVolume("crash", CrashWorkload.BS);
        java.util.concurrent.ExecutorService snapshots = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapshots");
            t.setDaemon(true);
            return t;
        });
        System.out.println("READY");
        System.out.flush();
        for (long i = 0; i < 1_000_000; i++) {
            if (i % CrashWorkload.SNAPSHOT_INTERVAL == CrashWorkload.SNAPSHOT_INTERVAL - 1) {
                snapshot(pool, snapshots, i);
            }
            CrashWorkload.Op op = work.op(i);
            if (op.unmap()) {
                v.unmap(op.lba(), op.data().length / CrashWorkload.BS);
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
        pool.close();
    }

    /** Cuts a snapshot after {@code ops} ops (named in its description) and completes it in the background. */
    private static void snapshot(CachePool pool, java.util.concurrent.ExecutorService background, long ops) {
        SnapshotCut cut;
        try {
            cut = pool.snapshots().cut("crash", "ops=" + ops);
        } catch (IllegalStateException e) {
            return; // the previous one is still being completed
        }
        background.execute(() -> {
            try (cut) {
                cut.complete(java.time.Duration.ofSeconds(60));
            } catch (Exception e) {
                System.err.println("snapshot failed: " + e);
            }
        });
    }
}
