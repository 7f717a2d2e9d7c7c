package dev.stowage.cache;

import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkCodec;
import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/** A bucket as the cache sees it: the object store, its chunk store and manifest store. */
record TestBucket(ObjectStore store, BucketChunkStore chunks, ManifestStore manifests) {

    static final int SLOT = 64 * 1024;

    static TestBucket over(ObjectStore store) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 7);
        BucketChunkStore chunks = new BucketChunkStore(store, new ChunkHasher(secret),
                new ChunkCodec(ChunkCodec.Settings.DEFAULT, null), BucketChunkStore.Options.DEFAULT);
        return new TestBucket(store, chunks, new ManifestStore(chunks, 64));
    }

    /** Small fast settings for tests: 64 KiB slots, no settle delay, short back-off. */
    static CacheSettings settings(Path dir, int slots) {
        return CacheSettings.defaults(dir, slots).withSlotSize(SLOT).withSettleDelay(Duration.ZERO)
                .withRetry(Duration.ofMillis(5), Duration.ofMillis(100));
    }

    CachePool open(CacheSettings settings) throws IOException {
        return CachePool.open(settings, chunks, manifests, store);
    }
}
