package dev.stowage.server.iscsi;

import static dev.stowage.server.iscsi.DemoDaemonHarness.run;
import static dev.stowage.server.iscsi.DemoDaemonHarness.rw10;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.stored.StoredVolume;
import dev.stowage.cache.stored.StoredVolumes;
import dev.stowage.iscsi.testing.TestInitiator;
import dev.stowage.server.Daemon;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.stored.StoredVolumeService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo appliance's stored volume, end to end over TCP: an initiator writes to
 * {@code iqn.2026-11.dev.stowage:demo-stored}; a snapshot taken through the daemon's manager
 * uploads the changed chunks; after a restart the data is still in the local file, the change
 * tracking is empty, and the snapshot read back from the bucket (restored into a new stored volume
 * and into a cached volume) holds exactly what was written.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoStoredVolumeTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path cwd;

    @Test
    void storedVolumeSnapshotsWhatTheInitiatorWroteAndTheSnapshotReadsBackFromTheBucket() throws Exception {
        DemoDaemonHarness demo = new DemoDaemonHarness(dataDir, cwd);
        byte[] data = new byte[3 * 64 * 1024 + 4096];
        new Random(11).nextBytes(data);
        long lba = (1L << 20) / 512 - 64; // crosses a 1 MiB chunk boundary: chunks 0..1
        long tail = DemoDaemonHarness.GIB_BLOCKS - 8;
        byte[] last = new byte[4096];
        new Random(12).nextBytes(last);
        Snapshot snap;
        try (Daemon.Running running = demo.start()) {
            assertThat(demo.banner()).contains(Daemon.DEMO_STORED_IQN,
                    "LUN 0: 1 GiB, stored volume demo-stored, file " + dataDir.resolve("iscsi/demo-stored.img"));
            try (TestInitiator i = DemoDaemonHarness.login(demo.port(), Daemon.DEMO_STORED_IQN, 0x0000_0001_0301L)) {
                run(i, rw10(0x2a, lba, data.length / 512), data, data.length, false);
                run(i, rw10(0x2a, tail, 8), last, last.length, false);
                byte[] sync = new byte[10];
                sync[0] = 0x35;
                run(i, sync, null, 0, false);
                i.logout();
            }
            StoredVolumes volumes = running.service(StoredVolumeService.class).volumes();
            assertThat(volumes.volumeIds()).containsExactly(Daemon.DEMO_STORED_VOLUME);
            StoredVolume v = volumes.volume(Daemon.DEMO_STORED_VOLUME);
            assertThat(v.changedChunks()).isEqualTo(3); // chunks 0, 1 and the last one
            snap = volumes.snapshot(Daemon.DEMO_STORED_VOLUME, "demo", Duration.ofSeconds(60));
            assertThat(v.changedChunks()).isZero();
            assertThat(running.store().find("volumes/demo-stored/head")).isPresent();
            assertThat(running.store().find("snapshots/" + snap.id())).isPresent();
        }
        try (Daemon.Running again = demo.start()) {
            try (TestInitiator i = DemoDaemonHarness.login(demo.port(), Daemon.DEMO_STORED_IQN, 0x0000_0001_0302L)) {
                assertThat(run(i, rw10(0x28, lba, data.length / 512), null, data.length, true).data()).isEqualTo(data);
            }
            StoredVolumes volumes = again.service(StoredVolumeService.class).volumes();
            assertThat(volumes.volume(Daemon.DEMO_STORED_VOLUME).changedChunks()).isZero();
            assertThat(volumes.listSnapshots(Daemon.DEMO_STORED_VOLUME)).extracting(Snapshot::id)
                    .containsExactly(snap.id());

            StoredVolume copy = volumes.createFromSnapshot("restored", snap.id(), dataDir.resolve("restored.img"));
            assertThat(read(copy, lba, data.length)).as("restored stored volume").isEqualTo(data);
            assertThat(read(copy, tail, last.length)).isEqualTo(last);
            assertThat(read(copy, 0, 4096)).containsOnly(0);

            var pool = again.service(CacheService.class).pool();
            pool.snapshots().createVolumeFromSnapshot("cached-from-stored", snap.id());
            var cached = pool.openVolume("cached-from-stored", 512);
            assertThat(read(cached, lba, data.length)).as("cached volume from the snapshot").isEqualTo(data);
            assertThat(read(cached, tail, last.length)).isEqualTo(last);
        }
    }

    private static byte[] read(dev.stowage.core.device.BlockDevice d, long lba, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        d.read(lba, b);
        return b.array();
    }
}
