package dev.stowage.cache.stored;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.device.FileBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a volume state (a snapshot's manifest) into a new local file, eagerly: the file is
 * created sparse (so zero chunks cost nothing), then every present chunk is downloaded, verified
 * by the chunk store (frame checksum, GCM tag, keyed content hash) and written, with bounded
 * parallelism; finally the file is forced. The volume is usable only once this has returned.
 *
 * <p><b>Errors:</b> a missing or corrupt chunk, an unreachable bucket or a local write error
 * ends the restore with an {@link IOException}; the partial file is deleted. Threading: one call
 * at a time per file; runs its own worker threads.
 */
final class SnapshotRestore {
    private SnapshotRestore() {
    }

    static void restore(Bucket bucket, VolumeManifest m, Path file, int blockSize, int threads) throws IOException {
        if (m.volumeSize() % blockSize != 0) {
            throw new IllegalArgumentException("the snapshot's volume of " + m.volumeSize()
                    + " bytes is not a whole number of " + blockSize + "-byte blocks");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        List<long[]> todo = new ArrayList<>();
        List<ChunkId> ids = new ArrayList<>();
        bucket.manifests().forEachChunk(m, (index, chunk) -> {
            todo.add(new long[] {index});
            ids.add(chunk);
        });
        FileBlockDevice dev = FileBlockDevice.create(file, blockSize, m.volumeSize() / blockSize);
        boolean ok = false;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "restore-" + m.volumeId());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < todo.size(); i++) {
                long index = todo.get(i)[0];
                ChunkId id = ids.get(i);
                futures.add(pool.submit(() -> {
                    byte[] data = bucket.chunks().get(id);
                    long offset = index * m.chunkSize();
                    int length = (int) Math.min(m.chunkSize(), m.volumeSize() - offset);
                    if (data.length > m.chunkSize()) {
                        throw new IOException("chunk " + id + " of the snapshot holds " + data.length
                                + " bytes, more than the chunk size " + m.chunkSize());
                    }
                    byte[] block = data.length == length ? data : java.util.Arrays.copyOf(data, length);
                    dev.write(offset / blockSize, ByteBuffer.wrap(block), false);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    throw new IOException("restore of volume " + m.volumeId() + " into " + file + " failed: "
                            + c.getMessage(), c);
                }
            }
            dev.flush();
            ok = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("restore into " + file + " was interrupted", e);
        } finally {
            pool.shutdownNow();
            try {
                dev.close();
            } catch (DeviceException e) {
                if (ok) {
                    throw e;
                }
            }
            if (!ok) {
                Files.deleteIfExists(file);
            }
        }
    }
}
