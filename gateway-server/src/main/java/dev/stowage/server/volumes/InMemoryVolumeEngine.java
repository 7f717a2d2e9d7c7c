package dev.stowage.server.volumes;

import dev.stowage.cache.Snapshot;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link VolumeEngine} for tests: volumes are names and sizes in memory, snapshots are real
 * snapshot records written to the given bucket (with a made-up root), so listing, deleting and
 * retention work as with a real engine. {@link #failSnapshots} makes snapshots fail like an
 * outage. Thread-safe (synchronized).
 */
public final class InMemoryVolumeEngine implements VolumeEngine {

    private final ObjectStore bucket;
    private final InstantSource clock;
    private final Map<String, VolumeInfo> volumes = new LinkedHashMap<>();
    private final List<String> exported = new ArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicInteger snapshotsTaken = new AtomicInteger();

    public InMemoryVolumeEngine(ObjectStore bucket, InstantSource clock) {
        this.bucket = bucket;
        this.clock = clock;
    }

    /** Adds a cached volume exported by the configuration. */
    public synchronized InMemoryVolumeEngine export(String id, long sizeBytes) {
        volumes.put(id, new VolumeInfo(id, VolumeType.CACHED, sizeBytes, 512, 1 << 20));
        exported.add(id);
        return this;
    }

    /** Makes every later snapshot fail with an {@link IOException} carrying {@code message}; null to succeed again. */
    public void failSnapshots(String message) {
        failure.set(message);
    }

    /** Snapshots taken so far. */
    public int snapshotsTaken() {
        return snapshotsTaken.get();
    }

    @Override
    public VolumeType type() {
        return VolumeType.CACHED;
    }

    @Override
    public synchronized List<VolumeInfo> exported() {
        return exported.stream().map(volumes::get).toList();
    }

    @Override
    public synchronized boolean holds(String volumeId) {
        return volumes.containsKey(volumeId);
    }

    @Override
    public Snapshot snapshot(String volumeId, String description, Duration timeout) throws IOException {
        VolumeInfo v;
        synchronized (this) {
            v = volumes.get(volumeId);
        }
        if (v == null) {
            throw VolumeException.notFound("volume " + volumeId + " is not on this gateway");
        }
        String f = failure.get();
        if (f != null) {
            throw new IOException(f);
        }
        int n = counter.incrementAndGet();
        String id = "snap-" + HexFormat.of().toHexDigits((long) n * 0x9e3779b97f4a7c15L ^ System.identityHashCode(this));
        Snapshot s = new Snapshot(id, volumeId, ChunkId.parse("%064x".formatted(n)), n, v.sizeBytes(), clock.instant(),
                description);
        bucket.put(Snapshot.objectKey(id), s.encode(), PutOptions.DEFAULT);
        snapshotsTaken.incrementAndGet();
        return s;
    }

    @Override
    public synchronized VolumeInfo create(NewVolume request, Snapshot snapshot) {
        if (volumes.containsKey(request.id())) {
            throw VolumeException.conflict("volume " + request.id() + " already exists");
        }
        long size = snapshot != null ? snapshot.sizeBytes() : volumes.get(request.sourceVolumeId()).sizeBytes();
        VolumeInfo v = new VolumeInfo(request.id(), VolumeType.CACHED, size, request.blockSize(), 1 << 20);
        volumes.put(request.id(), v);
        return v;
    }
}
