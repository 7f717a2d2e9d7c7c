package dev.stowage.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.BucketChunkStore.DedupProbe;
import dev.stowage.core.chunk.BucketChunkStore.Options;
import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The reclaim fence of {@link BucketChunkStore}: deterministic interleavings of a dedup put with a delete. */
@Timeout(30)
class ChunkFenceTest {

    private static final byte[] CONTENT = "a chunk that reclaim thinks is garbage".getBytes(StandardCharsets.UTF_8);

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** Pauses the first dedup answer (HEAD found it, or a conditional put was refused) until released. */
    private static class PausingStore extends ForwardingObjectStore {
        final CountDownLatch decided = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        volatile boolean armed;

        PausingStore(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public ObjectInfo head(String key) {
            ObjectInfo info = super.head(key); // throws NotFound when absent
            pause();
            return info;
        }

        @Override
        public PutResult put(String key, byte[] data, PutOptions options) {
            try {
                return super.put(key, data, options);
            } catch (dev.stowage.core.store.PreconditionFailedException e) {
                pause();
                throw e;
            }
        }

        void pause() {
            if (armed) {
                armed = false;
                decided.countDown();
                try {
                    resume.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private BucketChunkStore store(ObjectStore over, DedupProbe probe) {
        return new BucketChunkStore(over, TestData.hasher(), new ChunkCodec(ChunkCodec.Settings.DEFAULT, null),
                Options.DEFAULT.withProbe(probe));
    }

    @ParameterizedTest
    @EnumSource(DedupProbe.class)
    void aPutThatDeduplicatedAgainstAChunkDeletedMeanwhileUploadsItAgain(DedupProbe probe) throws Exception {
        PausingStore pausing = new PausingStore(memory);
        BucketChunkStore writer = store(pausing, probe); // a fresh store: no known chunks, it must ask the bucket
        ChunkId id = store(memory, probe).put(CONTENT).id(); // the garbage chunk, put long ago

        try (ChunkFence.Session session = writer.fence().begin()) {
            pausing.armed = true;
            Future<ChunkRef> put = executor.submit(() -> writer.put(CONTENT));
            assertThat(pausing.decided.await(10, TimeUnit.SECONDS)).isTrue(); // the put found it present...
            BucketChunkStore.FencedDelete d = writer.deleteUnreferenced(session, List.of(id)); // ...and it goes
            assertThat(d.deleted()).containsExactly(id);
            assertThat(memory.find(id.objectKey())).isEmpty();
            pausing.resume.countDown();
            assertThat(put.get().id()).isEqualTo(id);
        }
        assertThat(memory.find(id.objectKey())).isPresent(); // the put's caller may reference it: it is there
        assertThat(writer.get(id)).isEqualTo(CONTENT);
    }

    @Test
    void aChunkPutDuringTheSessionIsNotDeleted() throws Exception {
        BucketChunkStore chunks = store(memory, DedupProbe.HEAD_BEFORE_PUT);
        ChunkId id = chunks.put(CONTENT).id();
        try (ChunkFence.Session session = chunks.fence().begin()) {
            chunks.put(CONTENT); // deduplicated: known present
            BucketChunkStore.FencedDelete d = chunks.deleteUnreferenced(session, List.of(id));
            assertThat(d.deleted()).isEmpty();
            assertThat(d.skipped()).isEqualTo(1);
            assertThat(session.skippedByFence()).isEqualTo(1);
        }
        assertThat(memory.find(id.objectKey())).isPresent();
    }

    @Test
    void aDeletedChunkIsForgottenSoALaterPutUploadsIt() throws Exception {
        BucketChunkStore chunks = store(memory, DedupProbe.HEAD_BEFORE_PUT);
        ChunkId id = chunks.put(CONTENT).id();
        assertThat(chunks.get(id)).isEqualTo(CONTENT); // known present now
        try (ChunkFence.Session session = chunks.fence().begin()) {
            assertThat(chunks.deleteUnreferenced(session, List.of(id)).deleted()).containsExactly(id);
        }
        long uploaded = chunks.stats().chunksUploaded();
        chunks.put(CONTENT);
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(uploaded + 1);
        assertThat(memory.find(id.objectKey())).isPresent();
    }

    @Test
    void aReadOfADoomedChunkDoesNotMakeItKnownAgain() throws Exception {
        PausingStore pausing = new PausingStore(memory) {
            @Override
            public byte[] get(String key, dev.stowage.core.store.ByteRange range) {
                byte[] b = super.get(key, range);
                pause();
                return b;
            }
        };
        BucketChunkStore chunks = store(pausing, DedupProbe.HEAD_BEFORE_PUT);
        ChunkId id = store(memory, DedupProbe.HEAD_BEFORE_PUT).put(CONTENT).id();
        try (ChunkFence.Session session = chunks.fence().begin()) {
            pausing.armed = true;
            Future<byte[]> read = executor.submit(() -> chunks.get(id)); // read the bytes before the delete
            assertThat(pausing.decided.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> delete = executor.submit(() -> chunks.deleteUnreferenced(session, List.of(id)));
            delete.get();
            pausing.resume.countDown(); // the read finishes after the delete: it must not remember the chunk
            assertThat(read.get()).isEqualTo(CONTENT);
        }
        long uploaded = chunks.stats().chunksUploaded();
        chunks.put(CONTENT);
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(uploaded + 1); // not deduplicated against a ghost
        assertThat(memory.find(id.objectKey())).isPresent();
    }

    @Test
    void beginWaitsForOperationsStartedBeforeIt() throws Exception {
        PausingStore pausing = new PausingStore(memory);
        BucketChunkStore chunks = store(pausing, DedupProbe.HEAD_BEFORE_PUT);
        store(memory, DedupProbe.HEAD_BEFORE_PUT).put(CONTENT);
        pausing.armed = true;
        Future<ChunkRef> put = executor.submit(() -> chunks.put(CONTENT));
        assertThat(pausing.decided.await(10, TimeUnit.SECONDS)).isTrue(); // decided before the session
        CountDownLatch begun = new CountDownLatch(1);
        Future<ChunkFence.Session> session = executor.submit(() -> {
            ChunkFence.Session s = chunks.fence().begin();
            begun.countDown();
            return s;
        });
        assertThat(begun.await(200, TimeUnit.MILLISECONDS)).isFalse(); // still waiting for the put
        pausing.resume.countDown();
        ChunkId id = put.get().id();
        try (ChunkFence.Session s = session.get()) {
            // The put ended inside the session, so it is recorded and its chunk cannot be deleted.
            assertThat(chunks.deleteUnreferenced(s, List.of(id)).skipped()).isEqualTo(1);
        }
        assertThat(memory.find(id.objectKey())).isPresent();
    }

    @Test
    void oneSessionAtATimeAndClaimsNeedTheOpenSession() throws Exception {
        BucketChunkStore chunks = store(memory, DedupProbe.HEAD_BEFORE_PUT);
        ChunkFence.Session s = chunks.fence().begin();
        assertThatThrownBy(() -> chunks.fence().begin()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already running");
        s.close();
        assertThat(chunks.fence().active()).isFalse();
        ChunkId id = chunks.put(CONTENT).id();
        assertThatThrownBy(() -> chunks.deleteUnreferenced(s, List.of(id))).isInstanceOf(IllegalStateException.class);
        assertThat(memory.find(id.objectKey())).isPresent();
    }
}
