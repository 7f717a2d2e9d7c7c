package dev.stowage.cache.stored;

import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkCodec;
import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/** Test helpers: a bucket over a store with a fixed chunk-id secret, small chunks, and a byte counter. */
final class StoredFixture {
    static final int CHUNK = 64 * 1024;

    private StoredFixture() {
    }

    static Bucket bucket(ObjectStore store) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 7);
        BucketChunkStore chunks = new BucketChunkStore(store, new ChunkHasher(secret),
                new ChunkCodec(ChunkCodec.Settings.DEFAULT, null), BucketChunkStore.Options.DEFAULT);
        return new Bucket(chunks, new ManifestStore(chunks, 64), store);
    }

    /** 64 KiB chunks, 2 upload threads, short back-off. */
    static StoredVolumeSettings settings() {
        return StoredVolumeSettings.defaults().withChunkSize(CHUNK).withUploadThreads(2)
                .withRetry(Duration.ofMillis(5), Duration.ofMillis(50));
    }

    static byte[] readAll(BlockDevice d) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(d.blockCount() * d.blockSize()));
        d.read(0, b);
        return b.array();
    }

    /** Counts the objects and bytes put under {@code chunks/} (data chunks and manifest pages and roots). */
    static final class CountingStore extends ForwardingObjectStore {
        final LongAdder chunkPuts = new LongAdder();
        final LongAdder chunkBytes = new LongAdder();

        CountingStore(ObjectStore inner) {
            super(inner);
        }

        void reset() {
            chunkPuts.reset();
            chunkBytes.reset();
        }

        @Override
        public PutResult put(String key, byte[] data, PutOptions options) {
            PutResult r = delegate().put(key, data, options);
            if (key.startsWith("chunks/")) {
                chunkPuts.increment();
                chunkBytes.add(data.length);
            }
            return r;
        }
    }
}
