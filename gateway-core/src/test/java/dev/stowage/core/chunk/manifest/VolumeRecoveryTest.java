package dev.stowage.core.chunk.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.chunk.BucketChunkStore;
import dev.stowage.core.chunk.ChunkCodec;
import dev.stowage.core.chunk.ChunkHasher;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.KeyRing;
import dev.stowage.core.chunk.TestData;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The whole path a volume takes through the bucket: data chunks and manifests written by one
 * gateway, then read back by a second gateway that has only the bucket, the key files and a
 * snapshot's root id, and compared byte for byte with an oracle copy of the volume.
 */
class VolumeRecoveryTest {

    private static final int CHUNK = 16 << 10;
    private static final int CHUNKS = 300; // fan-out 8: depth 3
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");

    private final InMemoryObjectStore bucket = new InMemoryObjectStore();

    /** One gateway process: its own chunk store and manifest cache over the shared bucket. */
    private record Gateway(BucketChunkStore chunks, ManifestStore manifests) {
        static Gateway on(ObjectStore bucket) {
            BucketChunkStore chunks = new BucketChunkStore(bucket, new ChunkHasher(TestData.key(500)),
                    new ChunkCodec(ChunkCodec.Settings.DEFAULT.withEncryption(true), KeyRing.single(1, TestData.key(501))),
                    BucketChunkStore.Options.DEFAULT);
            return new Gateway(chunks, new ManifestStore(chunks, 64));
        }

        /** Uploads the changed chunks of {@code volume} and commits them; all-zero chunks become holes. */
        VolumeManifest write(VolumeManifest base, byte[] volume, Iterable<Integer> changed, Instant when) {
            Map<Long, ChunkId> updates = new HashMap<>();
            for (int index : changed) {
                byte[] chunk = Arrays.copyOfRange(volume, index * CHUNK, (index + 1) * CHUNK);
                updates.put((long) index, isZero(chunk) ? null : chunks.put(chunk).id());
            }
            return manifests.commit(base, updates, when);
        }

        byte[] readAll(VolumeManifest m) {
            byte[] out = new byte[Math.toIntExact(m.volumeSize())];
            manifests.forEachChunk(m, (index, id) ->
                    System.arraycopy(chunks.get(id), 0, out, Math.toIntExact(index * CHUNK), CHUNK));
            return out;
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aSecondGatewayRestoresEverySnapshotFromTheBucketAlone() {
        Gateway writer = Gateway.on(bucket);
        byte[] volume = new byte[CHUNKS * CHUNK];
        VolumeManifest m = VolumeManifest.empty("vol-recover", volume.length, CHUNK, 8, T0);
        Random r = new Random(3);
        System.arraycopy(TestData.random(CHUNK, 99), 0, volume, 0, CHUNK); // chunk 0: copied around below
        m = writer.write(m, volume, java.util.List.of(0), T0);
        ChunkId[] snapshots = new ChunkId[5];
        byte[][] oracle = new byte[5][];
        for (int round = 0; round < 5; round++) {
            java.util.Set<Integer> changed = new java.util.TreeSet<>();
            for (int w = 0; w < 40; w++) {
                int index = 1 + r.nextInt(CHUNKS - 1);
                int offset = index * CHUNK + r.nextInt(CHUNK - 512);
                switch (r.nextInt(4)) {
                    case 0 -> Arrays.fill(volume, index * CHUNK, (index + 1) * CHUNK, (byte) 0); // trimmed
                    case 1 -> System.arraycopy(volume, 0, volume, index * CHUNK, CHUNK); // duplicate of chunk 0
                    default -> System.arraycopy(TestData.random(512, r.nextLong()), 0, volume, offset, 512);
                }
                changed.add(index);
            }
            m = writer.write(m, volume, changed, T0.plusSeconds(round));
            snapshots[round] = writer.manifests().saveRoot(m);
            oracle[round] = volume.clone();
        }

        Gateway replacement = Gateway.on(bucket); // nothing in memory: only the bucket and the keys
        for (int round = 0; round < 5; round++) {
            VolumeManifest restored = replacement.manifests().loadRoot(snapshots[round]);
            assertThat(restored.generation()).isEqualTo(round + 2);
            assertThat(replacement.readAll(restored)).as("snapshot %d", round).isEqualTo(oracle[round]);
        }
        // Duplicated chunks were stored once; trimmed chunks not at all.
        assertThat(writer.chunks().stats().chunksDeduplicated()).isPositive();
    }
}
