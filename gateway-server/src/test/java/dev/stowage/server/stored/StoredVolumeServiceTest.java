package dev.stowage.server.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.config.CacheConfig;
import dev.stowage.server.config.IscsiSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored volume service: opens its LUNs over the cache's chunk store, schedules snapshots, refuses what it must. */
class StoredVolumeServiceTest {

    @TempDir
    Path dataDir;

    private final InMemoryObjectStore bucket = new InMemoryObjectStore();

    private CacheService cache() throws IOException {
        CacheService c = new CacheService(new CacheConfig(dataDir.resolve("cache"), 64 * 1024, 64, Duration.ZERO, 2,
                dataDir.resolve("keys"), null), bucket, List.of());
        c.start();
        return c;
    }

    private IscsiSettings.Lun lun(String volume, String file, boolean preserve) {
        Path p = dataDir.resolve(file);
        return new IscsiSettings.Lun(0, IscsiSettings.LunType.STORED, p, 1 << 20, 512, false, !Files.exists(p), volume,
                preserve, null);
    }

    @Test
    void opensVolumesAndSnapshotsThroughTheCachesChunkStore() throws Exception {
        CacheService cache = cache();
        StoredVolumeService s = new StoredVolumeService(StoredVolumeService.stateDir(dataDir), cache, bucket,
                List.of(lun("a", "a.img", false), lun("b", "b.img", false)));
        try {
            s.start();
            assertThat(s.volumes().volumeIds()).containsExactly("a", "b");
            assertThat(s.describe()).contains("a: " + dataDir.resolve("a.img"), "chunks changed since the last snapshot");
            s.volume("a").write(0, ByteBuffer.allocate(512).put(0, (byte) 5), false);
            var snap = s.volumes().snapshot("a", "now", Duration.ofSeconds(30));
            // the cache reads the stored volume's snapshot: same chunk store, keys and chunk size
            cache.pool().snapshots().createVolumeFromSnapshot("a-cached", snap.id());
            ByteBuffer b = ByteBuffer.allocate(512);
            cache.pool().openVolume("a-cached", 512).read(0, b);
            assertThat(b.get(0)).isEqualTo((byte) 5);
        } finally {
            s.stop();
            cache.stop();
        }
        assertThat(s.volumes()).isNull();
    }

    @Test
    void anExistingFileThatIsNotYetAStoredVolumeNeedsPreserveExistingData() throws Exception {
        Files.write(dataDir.resolve("old.img"), new byte[1 << 20]);
        CacheService cache = cache();
        try {
            StoredVolumeService s = new StoredVolumeService(StoredVolumeService.stateDir(dataDir), cache, bucket,
                    List.of(lun("old", "old.img", false)));
            assertThatThrownBy(s::start).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot open stored volume old: ")
                    .hasMessageContaining("preserve_existing_data")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            StoredVolumeService ok = new StoredVolumeService(StoredVolumeService.stateDir(dataDir), cache, bucket,
                    List.of(lun("old", "old.img", true)));
            ok.start();
            assertThat(ok.volume("old").changedChunks()).isEqualTo(16); // all of it, in 64 KiB chunks
            ok.stop();
        } finally {
            cache.stop();
        }
    }
}
