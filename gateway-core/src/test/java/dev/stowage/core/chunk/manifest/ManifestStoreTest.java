package dev.stowage.core.chunk.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkCodec;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.KeyRing;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.core.chunk.TestData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ManifestStoreTest {

    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final int CHUNK = 4096;

    private final InMemoryObjectStore bucket = new InMemoryObjectStore();
    private final BucketChunkStore chunks = new BucketChunkStore(bucket, TestData.hasher(),
            new ChunkCodec(ChunkCodec.Settings.DEFAULT.withEncryption(true), KeyRing.single(1, TestData.key(1))),
            BucketChunkStore.Options.DEFAULT);
    private final ManifestStore manifests = new ManifestStore(chunks, 100);

    private static ChunkId data(long n) {
        return TestData.hasher().idOf(("chunk " + n).getBytes());
    }

    /** A volume of {@code count} chunks with fan-out 4, so trees are several levels deep. */
    private static VolumeManifest volume(long count) {
        return VolumeManifest.empty("vol-a", count * CHUNK, CHUNK, 4, T0);
    }

    private TreeMap<Long, ChunkId> contents(VolumeManifest m) {
        TreeMap<Long, ChunkId> seen = new TreeMap<>();
        manifests.forEachChunk(m, (index, id) -> assertThat(seen.put(index, id)).isNull());
        return seen;
    }

    @Test
    void randomCommitsMatchAnOracleAndEveryRootStaysReadable() {
        VolumeManifest m = volume(200); // depth 4 with fan-out 4
        assertThat(m.depth()).isEqualTo(4);
        TreeMap<Long, ChunkId> oracle = new TreeMap<>();
        List<VolumeManifest> roots = new ArrayList<>();
        List<TreeMap<Long, ChunkId>> oracles = new ArrayList<>();
        Random r = new Random(42);
        for (int commit = 0; commit < 60; commit++) {
            Map<Long, ChunkId> updates = new HashMap<>();
            for (int i = 0, n = 1 + r.nextInt(12); i < n; i++) {
                long index = r.nextInt(200);
                ChunkId value = r.nextInt(4) == 0 ? null : data(r.nextInt(50)); // a quarter become zero
                updates.put(index, value);
            }
            m = manifests.commit(m, updates, T0.plusSeconds(commit));
            updates.forEach((index, id) -> {
                if (id == null) {
                    oracle.remove(index);
                } else {
                    oracle.put(index, id);
                }
            });
            assertThat(m.generation()).isEqualTo(commit + 1);
            assertThat(contents(m)).isEqualTo(oracle);
            roots.add(m);
            oracles.add(new TreeMap<>(oracle));
        }
        // Old roots (snapshots) are untouched by later commits, read through a cold cache too.
        ManifestStore cold = new ManifestStore(chunks, 0);
        for (int i = 0; i < roots.size(); i += 7) {
            for (long index = 0; index < 200; index++) {
                assertThat(cold.chunkAt(roots.get(i), index)).as("root %d index %d", i, index)
                        .isEqualTo(oracles.get(i).get(index));
            }
        }
    }

    @Test
    void zeroChunksAreOmittedAndAnAllZeroVolumeHasNoPages() {
        VolumeManifest m = volume(64);
        assertThat(manifests.chunkAt(m, 10)).isNull();
        VolumeManifest written = manifests.commit(m, Map.of(10L, data(1)), T0);
        assertThat(manifests.chunkAt(written, 10)).isEqualTo(data(1));
        List<ChunkId> pages = new ArrayList<>();
        manifests.forEachPage(written, pages::add);
        assertThat(pages).hasSize(written.depth()); // one page per level on the single path

        Map<Long, ChunkId> zero = new HashMap<>();
        zero.put(10L, null);
        VolumeManifest cleared = manifests.commit(written, zero, T0);
        assertThat(cleared.rootPage()).isNull();
        assertThat(contents(cleared)).isEmpty();
    }

    @Test
    void aCommitRewritesOnlyThePagesOnTheChangedPath() {
        VolumeManifest m = volume(256); // depth 4
        Map<Long, ChunkId> full = new HashMap<>();
        for (long i = 0; i < 256; i++) {
            full.put(i, data(i));
        }
        m = manifests.commit(m, full, T0);
        long before = chunks.stats().chunksUploaded();
        VolumeManifest next = manifests.commit(m, Map.of(77L, data(1000)), T0);
        assertThat(chunks.stats().chunksUploaded() - before).isEqualTo(m.depth());

        Set<ChunkId> oldPages = new HashSet<>();
        manifests.forEachPage(m, oldPages::add);
        Set<ChunkId> newPages = new HashSet<>();
        manifests.forEachPage(next, newPages::add);
        assertThat(oldPages).hasSize(1 + 4 + 16 + 64);
        newPages.retainAll(oldPages);
        assertThat(newPages).hasSize(oldPages.size() - m.depth()); // everything else is shared
    }

    @Test
    void rewritingIdenticalContentWritesNoPages() {
        VolumeManifest m = manifests.commit(volume(64), Map.of(5L, data(5)), T0);
        long before = chunks.stats().chunksUploaded();
        VolumeManifest same = manifests.commit(m, Map.of(5L, data(5)), T0);
        assertThat(same.rootPage()).isEqualTo(m.rootPage());
        assertThat(chunks.stats().chunksUploaded()).isEqualTo(before);
    }

    @Test
    void snapshotsAreSavedRootsThatLoadBackExactly() {
        VolumeManifest m = manifests.commit(volume(100), Map.of(1L, data(1), 99L, data(99)), T0);
        ChunkId snapshot = manifests.saveRoot(m);
        VolumeManifest later = manifests.commit(m, Map.of(1L, data(2)), T0.plusSeconds(5));

        VolumeManifest loaded = new ManifestStore(chunks, 0).loadRoot(snapshot);
        assertThat(loaded).isEqualTo(m);
        assertThat(manifests.chunkAt(loaded, 1)).isEqualTo(data(1));
        assertThat(manifests.chunkAt(later, 1)).isEqualTo(data(2));
    }

    @Test
    void differencesBetweenSnapshotsAreExactlyTheChangedChunks() {
        VolumeManifest a = manifests.commit(volume(200), Map.of(3L, data(3), 50L, data(50), 150L, data(150)), T0);
        Map<Long, ChunkId> changes = new HashMap<>();
        changes.put(50L, data(51));
        changes.put(150L, null);
        changes.put(199L, data(199));
        changes.put(3L, data(3)); // unchanged content
        VolumeManifest b = manifests.commit(a, changes, T0);

        TreeMap<Long, ChunkId> diff = new TreeMap<>();
        manifests.forEachDifference(a, b, diff::put);
        TreeMap<Long, ChunkId> expected = new TreeMap<>();
        expected.put(50L, data(51));
        expected.put(150L, null);
        expected.put(199L, data(199));
        assertThat(diff).isEqualTo(expected);
    }

    @Test
    void clonesShareTheOriginButDivergeIndependently() {
        VolumeManifest origin = manifests.commit(volume(64), Map.of(0L, data(0), 63L, data(63)), T0);
        VolumeManifest clone = origin.cloneAs("vol-b", T0);
        assertThat(clone.rootPage()).isEqualTo(origin.rootPage());
        assertThat(clone.generation()).isZero();
        VolumeManifest cloneWritten = manifests.commit(clone, Map.of(0L, data(7)), T0);
        assertThat(manifests.chunkAt(cloneWritten, 0)).isEqualTo(data(7));
        assertThat(manifests.chunkAt(origin, 0)).isEqualTo(data(0));
        assertThat(manifests.chunkAt(cloneWritten, 63)).isEqualTo(data(63));
    }

    @Test
    void growingKeepsDataAndAddsZeros() {
        VolumeManifest small = manifests.commit(volume(16), Map.of(0L, data(0), 15L, data(15)), T0);
        assertThat(small.depth()).isEqualTo(2);
        VolumeManifest big = manifests.grow(small, 1000L * CHUNK, T0);
        assertThat(big.depth()).isEqualTo(5);
        assertThat(big.chunkCount()).isEqualTo(1000);
        assertThat(contents(big)).containsExactly(Map.entry(0L, data(0)), Map.entry(15L, data(15)));
        VolumeManifest written = manifests.commit(big, Map.of(999L, data(999)), T0);
        assertThat(manifests.chunkAt(written, 999)).isEqualTo(data(999));
        assertThat(manifests.chunkAt(written, 15)).isEqualTo(data(15));

        assertThat(manifests.grow(volume(16), 1000L * CHUNK, T0).rootPage()).isNull();
        assertThatThrownBy(() -> manifests.grow(big, CHUNK, T0)).hasMessageContaining("cannot shrink");
    }

    @Test
    void indexesOutsideTheVolumeAreRefused() {
        VolumeManifest m = volume(10);
        assertThatThrownBy(() -> manifests.chunkAt(m, 10)).hasMessageContaining("outside volume vol-a (0..9)");
        assertThatThrownBy(() -> manifests.commit(m, Map.of(-1L, data(1)), T0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDataChunkIsNotMistakenForARoot() {
        ChunkId notARoot = chunks.put(TestData.random(500, 1)).id();
        assertThatThrownBy(() -> manifests.loadRoot(notARoot))
                .isInstanceOf(CorruptManifestException.class).hasMessageContaining(notARoot.hex());
    }

    @Test
    void aPageFoundAtTheWrongPlaceInTheTreeIsRejected() {
        VolumeManifest m = manifests.commit(volume(64), Map.of(20L, data(20)), T0);
        // A root whose top page is really a leaf: level mismatch.
        ChunkId[] leaf = new ChunkId[1];
        manifests.forEachPage(m, id -> leaf[0] = id); // the last page visited is the leaf
        VolumeManifest forged = VolumeManifest.empty("vol-a", 64L * CHUNK, CHUNK, 4, T0)
                .successor(64L * CHUNK, leaf[0], T0);
        assertThatThrownBy(() -> new ManifestStore(chunks, 0).chunkAt(forged, 20))
                .isInstanceOf(CorruptManifestException.class).hasMessageContaining("expects level 2");
    }
}
