package dev.stowage.cache;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A volume as the pool knows it: number, geometry, recovery point and the uploads waiting to be
 * committed. {@link #manifest} is loaded from the bucket on first use (a restart does not need S3).
 *
 * <p><b>Threading:</b> {@code manifest}, {@code head} and {@code commitCount} change only under
 * the pool's state write lock (by the uploader's commit); {@link #pending} is guarded by itself.
 */
final class PoolVolume {
    /** An upload waiting for its commit: version {@code gen} of an entry is chunk {@code id} (null: all zeros). */
    record Pending(Entry entry, long gen, ChunkId id) {
    }

    final int number;
    final String id;
    final long size;
    final int chunkSize;
    final Map<Long, Pending> pending = new HashMap<>();
    final AtomicInteger uploading = new AtomicInteger();
    /** Changes with every commit; a fetched base chunk is installed only if it did not change meanwhile. */
    final AtomicLong commitCount = new AtomicLong();
    volatile VolumeHead head;
    volatile VolumeManifest manifest;
    volatile long lastCommitMillis;
    volatile boolean headUnpublished;
    volatile long commitNotBeforeMillis;
    int commitFailures; // uploader thread only

    PoolVolume(int number, String id, long size, int chunkSize, VolumeHead head, long nowMillis) {
        this.number = number;
        this.id = id;
        this.size = size;
        this.chunkSize = chunkSize;
        this.head = head;
        this.lastCommitMillis = nowMillis;
    }

    long chunkCount() {
        return (size - 1) / chunkSize + 1;
    }

    /** Bytes of chunk {@code index} inside the volume (the last chunk may be short). */
    int chunkLength(long index) {
        return (int) Math.min(chunkSize, size - index * chunkSize);
    }

    /** The committed manifest, loaded on first use. */
    VolumeManifest manifest(ManifestStore manifests) {
        VolumeManifest m = manifest;
        if (m == null) {
            synchronized (this) {
                m = manifest;
                if (m == null) {
                    m = manifests.loadRoot(head.root());
                    if (m.chunkSize() != chunkSize || m.volumeSize() != size) {
                        throw new IllegalStateException("manifest root " + head.root() + " of volume " + id
                                + " does not match its journal geometry");
                    }
                    manifest = m;
                }
            }
        }
        return m;
    }

    /** True when the recovery point is known to hold no data at all (a new volume). */
    boolean knownEmpty() {
        VolumeManifest m = manifest;
        return m != null && m.rootPage() == null;
    }
}
