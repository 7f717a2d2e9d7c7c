package dev.stowage.server.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.cache.Snapshot;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The volume catalog: written locally and into the bucket, read back by a gateway that has only the bucket. */
class VolumeCatalogTest {

    @TempDir
    Path data;

    @TempDir
    Path otherGateway;

    private final InMemoryObjectStore memory = new InMemoryObjectStore();
    private final FaultInjectingObjectStore bucket = new FaultInjectingObjectStore(memory);
    private final ManualClock clock = new ManualClock("2026-03-01T10:00:00Z");

    private VolumeService started(Path dir, VolumeEngine engine) throws Exception {
        VolumeService s = new VolumeService(dir, bucket, List.of(engine), Map.of(), clock, false);
        s.start();
        return s;
    }

    @Test
    void exportedVolumesAreRecordedAndAFreshGatewaySeesThemInTheBucket() throws Exception {
        InMemoryVolumeEngine engine = new InMemoryVolumeEngine(bucket, clock).export("db1", 200L << 30).export("logs", 20L << 30);
        VolumeService s = started(data, engine);
        assertThat(s.volumes().volumes()).extracting(VolumeRecord::id).containsExactly("db1", "logs");
        VolumeRecord db1 = s.volumes().volume("db1");
        assertThat(db1).isEqualTo(new VolumeRecord("db1", VolumeType.CACHED, 200L << 30, 512, 1 << 20, clock.instant(),
                null, null, VolumeState.AVAILABLE, clock.instant()));
        assertThat(Files.readString(data.resolve("catalog/volumes/db1.json"))).contains("\"format\":\"stowage-volume\"",
                "\"version\":1", "\"size_bytes\":214748364800");
        assertThat(new String(memory.get("catalog/volumes/db1"), StandardCharsets.UTF_8)).isEqualTo(
                "{\"format\":\"stowage-volume\",\"version\":1,\"id\":\"db1\",\"type\":\"cached\",\"size_bytes\":214748364800,"
                        + "\"block_size\":512,\"chunk_size\":1048576,\"created\":\"2026-03-01T10:00:00Z\",\"source\":null,"
                        + "\"state\":\"available\",\"updated\":\"2026-03-01T10:00:00Z\"}\n");
        s.stop();

        // A replacement gateway: another data directory, the same bucket, nothing configured yet.
        VolumeService fresh = started(otherGateway, new InMemoryVolumeEngine(bucket, clock));
        assertThat(fresh.volumes().volumes()).isEmpty();
        VolumeCatalog.BucketView view = fresh.volumes().bucketCatalog();
        assertThat(view.volumes()).containsExactly(db1, s.volumes().volume("logs"));
        assertThat(view.uncataloged()).isEmpty();
    }

    @Test
    void restartRewritesOnlyWhatChanged() throws Exception {
        started(data, new InMemoryVolumeEngine(bucket, clock).export("db1", 1L << 30).export("tmp", 1L << 30)).stop();
        clock.advance(Duration.ofDays(1));
        // tmp is no longer in the configuration; db1 is unchanged.
        VolumeService s = started(data, new InMemoryVolumeEngine(bucket, clock).export("db1", 1L << 30));
        assertThat(s.volumes().volume("db1").updated()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        VolumeRecord tmp = s.volumes().volume("tmp");
        assertThat(tmp.state()).isEqualTo(VolumeState.NOT_EXPORTED);
        assertThat(tmp.created()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(VolumeRecord.decode(memory.get("catalog/volumes/tmp"), "tmp").state()).isEqualTo(VolumeState.NOT_EXPORTED);
    }

    @Test
    void aBucketOutageLeavesTheRecordLocalAndItIsCopiedLater() throws Exception {
        bucket.outage(true);
        VolumeService s = started(data, new InMemoryVolumeEngine(bucket, clock).export("db1", 1L << 30));
        assertThat(s.volumes().volume("db1").state()).isEqualTo(VolumeState.AVAILABLE);
        assertThat(s.volumes().catalog().pendingCount()).isEqualTo(1);
        assertThat(memory.find("catalog/volumes/db1")).isEmpty();
        bucket.outage(false);
        assertThat(s.volumes().catalog().mirrorPending()).isZero();
        assertThat(VolumeRecord.decode(memory.get("catalog/volumes/db1"), "db1").sizeBytes()).isEqualTo(1L << 30);
    }

    @Test
    void volumesFromSnapshotsAndClonesAreRecordedWithTheirSource() throws Exception {
        InMemoryVolumeEngine engine = new InMemoryVolumeEngine(bucket, clock).export("db1", 4L << 30);
        VolumeService s = started(data, engine);
        Snapshot snap = s.volumes().snapshot("db1", "before upgrade");
        VolumeRecord restored = s.volumes().create(new NewVolume("db1-restored", VolumeType.CACHED, snap.id(), null, 4096, null));
        assertThat(restored.sourceSnapshot()).isEqualTo(snap.id());
        assertThat(restored.state()).isEqualTo(VolumeState.NOT_EXPORTED);
        assertThat(restored.blockSize()).isEqualTo(4096);
        assertThat(restored.sizeBytes()).isEqualTo(4L << 30);
        VolumeRecord clone = s.volumes().create(new NewVolume("db1-copy", VolumeType.CACHED, null, "db1", 512, null));
        assertThat(clone.sourceVolume()).isEqualTo("db1");
        assertThat(s.volumes().bucketCatalog().volumes()).extracting(VolumeRecord::id)
                .containsExactlyInAnyOrder("db1", "db1-restored", "db1-copy");

        assertThatThrownBy(() -> s.volumes().create(new NewVolume("db1-copy", VolumeType.CACHED, null, "db1", 512, null)))
                .isInstanceOfSatisfying(VolumeException.class, e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.CONFLICT))
                .hasMessage("volume db1-copy already exists");
        assertThatThrownBy(() -> s.volumes().create(new NewVolume("x", VolumeType.CACHED, "snap-0000000000000000", null, 512, null)))
                .isInstanceOfSatisfying(VolumeException.class, e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.NOT_FOUND))
                .hasMessage("snapshot snap-0000000000000000 does not exist");
        assertThatThrownBy(() -> s.volumes().create(new NewVolume("x", VolumeType.STORED, snap.id(), null, 512, null)))
                .isInstanceOfSatisfying(VolumeException.class, e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.CONFLICT))
                .hasMessageStartingWith("this gateway runs no stored volumes");
    }

    @Test
    void theBucketViewNamesVolumesWithoutRecordsAndSkipsUnreadableOnes() throws Exception {
        VolumeService s = started(data, new InMemoryVolumeEngine(bucket, clock).export("db1", 1L << 30));
        memory.put("volumes/legacy/head", "stowage-volume-head 1\n".getBytes(StandardCharsets.US_ASCII), PutOptions.DEFAULT);
        memory.put("catalog/volumes/future", ("{\"format\":\"stowage-volume\",\"version\":2,\"id\":\"future\"}")
                .getBytes(StandardCharsets.UTF_8), PutOptions.DEFAULT);
        VolumeCatalog.BucketView view = s.volumes().bucketCatalog();
        assertThat(view.volumes()).extracting(VolumeRecord::id).containsExactly("db1");
        assertThat(view.uncataloged()).containsExactly("legacy");
        assertThat(view.unreadable()).containsExactly("catalog/volumes/future");
        assertThatThrownBy(() -> VolumeRecord.decode(memory.get("catalog/volumes/future"), "catalog/volumes/future"))
                .hasMessage("catalog/volumes/future is a stowage-volume record of version 2; this gateway reads version 1 "
                        + "(written by a newer gateway?)");
    }
}
