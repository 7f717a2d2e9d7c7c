package dev.stowage.cache.stored;

import static dev.stowage.cache.stored.StoredFixture.CHUNK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.VolumeHead;
import dev.stowage.cache.VolumeHealth;
import dev.stowage.cache.VolumeInUseException;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways (two {@link StoredVolumes} managers with their own state directories) on one
 * bucket: owner records refuse the second writer, conditional heads catch a head written behind a
 * volume's back.
 */
@Timeout(120)
class StoredTwoGatewaysTest {
    private static final int BS = 512;
    private static final long SIZE = 16L * CHUNK;
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private InMemoryObjectStore memory;
    private FaultInjectingObjectStore faults;
    private Bucket bucket;
    private final Random random = new Random(7);

    @BeforeEach
    void setUp() {
        memory = new InMemoryObjectStore();
        faults = new FaultInjectingObjectStore(memory);
        bucket = StoredFixture.bucket(faults);
    }

    private StoredVolumes gateway(String name) {
        return new StoredVolumes(dir.resolve(name), bucket, StoredFixture.settings());
    }

    private byte[] writeRandom(StoredVolume v, long offset, int length) throws DeviceException {
        byte[] b = new byte[length];
        random.nextBytes(b);
        v.write(offset / BS, ByteBuffer.wrap(b), false);
        return b;
    }

    private VolumeHead bucketHead(String id) {
        return VolumeHead.decode(memory.get(VolumeHead.objectKey(id)), id);
    }

    @Test
    void aSecondGatewayIsRefusedUntilTheFirstClosesCleanly() throws Exception {
        try (StoredVolumes a = gateway("state-a"); StoredVolumes b = gateway("state-b")) {
            StoredVolume va = a.open("vol", dir.resolve("a.img"), SIZE, BS, false);
            writeRandom(va, 0, CHUNK);

            assertThatThrownBy(() -> b.open("vol", dir.resolve("b.img"), SIZE, BS, false))
                    .isInstanceOf(VolumeInUseException.class)
                    .hasMessageContaining("volume vol is in use by gateway")
                    .hasMessageContaining("take-over")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(dir.resolve("b.img")).doesNotExist(); // a refused open leaves nothing behind
            assertThat(dir.resolve("state-b").resolve("vol")).doesNotExist();

            va.close(); // a clean close releases the owner record
            StoredVolume vb = b.open("vol", dir.resolve("b.img"), SIZE, BS, false);
            byte[] data = writeRandom(vb, 2L * CHUNK, CHUNK);
            Snapshot s = b.snapshot("vol", "by b", T);
            assertThat(bucketHead("vol").root()).isEqualTo(s.root());
            assertThat(b.health("vol").status()).isEqualTo(VolumeHealth.Status.OK);
            assertThat(vb.changedChunks()).isZero();
            assertThat(java.util.Arrays.copyOfRange(StoredFixture.readAll(vb), 2 * CHUNK, 3 * CHUNK)).isEqualTo(data);
        }
    }

    @Test
    void aVolumeMovedToAnotherGatewayOpensThereOnlyAfterTheFirstCloses() throws Exception {
        Path img = dir.resolve("shared.img");
        try (StoredVolumes a = gateway("state-a"); StoredVolumes b = gateway("state-b")) {
            StoredVolume va = a.open("vol", img, SIZE, BS, false);
            writeRandom(va, 0, CHUNK);
            a.snapshot("vol", "by a", T);
            copyTree(dir.resolve("state-a").resolve("vol"), dir.resolve("state-b").resolve("vol"));

            assertThatThrownBy(() -> b.open("vol", img, SIZE, BS, false))
                    .isInstanceOf(VolumeInUseException.class).hasMessageContaining("is in use by gateway");

            a.close();
            StoredVolume vb = b.open("vol", img, SIZE, BS, false);
            writeRandom(vb, 5L * CHUNK, 4096);
            Snapshot s = b.snapshot("vol", "by b", T); // b knows no head ETag: adopts the bucket's older head
            assertThat(bucketHead("vol").root()).isEqualTo(s.root());
            assertThat(b.listSnapshots("vol")).hasSize(2);
        }
    }

    @Test
    void aHeadWrittenBehindTheVolumesBackFailsTheSnapshotAndKeepsTheChanges() throws Exception {
        Path img = dir.resolve("a.img");
        Snapshot first;
        VolumeHead foreign;
        byte[] later;
        try (StoredVolumes a = gateway("state-a")) {
            StoredVolume v = a.open("vol", img, SIZE, BS, false);
            writeRandom(v, 0, CHUNK);
            first = a.snapshot("vol", "first", T);
            foreign = new VolumeHead(first.root(), 99); // another writer's head
            memory.put(VolumeHead.objectKey("vol"), foreign.encode(), PutOptions.DEFAULT);

            writeRandom(v, 3L * CHUNK, 4096);
            later = writeRandom(v, 7L * CHUNK, CHUNK);
            assertThat(v.changedChunks()).isEqualTo(2);
            assertThatThrownBy(() -> a.snapshot("vol", "second", T))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("snapshot of stored volume vol refused")
                    .hasMessageContaining("another gateway wrote the volume's head")
                    .hasMessageContaining("take-over")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(v.changedChunks()).isEqualTo(2); // still to be snapshotted
            assertThat(a.listSnapshots("vol")).extracting(Snapshot::id).containsExactly(first.id());
            assertThat(bucketHead("vol")).isEqualTo(foreign); // the other writer's head is not overwritten
            assertThat(a.health("vol").status()).isEqualTo(VolumeHealth.Status.CONFLICT);
            assertThatThrownBy(() -> a.snapshot("vol", "again", T)).hasMessageContaining("refused");
        }
        try (StoredVolumes a = gateway("state-a")) { // the conflict survives a restart
            StoredVolume v = a.open("vol", img, SIZE, BS, false);
            assertThat(v.changedChunks()).isEqualTo(2);
            assertThatThrownBy(() -> a.snapshot("vol", "after restart", T)).hasMessageContaining("refused");
        }
        try (StoredVolumes a = gateway("state-a")) { // the admin takes the volume over: its changes are published
            StoredVolume v = a.open("vol", img, SIZE, BS, false, true);
            Snapshot s = a.snapshot("vol", "taken over", T);
            assertThat(v.changedChunks()).isZero();
            assertThat(bucketHead("vol").root()).isEqualTo(s.root());
            StoredVolume copy = a.createFromSnapshot("copy", s.id(), dir.resolve("copy.img"));
            assertThat(java.util.Arrays.copyOfRange(StoredFixture.readAll(copy), 7 * CHUNK, 8 * CHUNK))
                    .isEqualTo(later);
        }
    }

    @Test
    void aBucketOutageAtOpenDoesNotPreventOpening() throws Exception {
        Path img = dir.resolve("a.img");
        try (StoredVolumes a = gateway("state-a")) {
            a.open("vol", img, SIZE, BS, false);
            a.snapshot("vol", "first", T);
        }
        try (StoredVolumes a = gateway("state-a")) {
            faults.outage(true);
            StoredVolume v = a.open("vol", img, SIZE, BS, false);
            assertThat(a.health("vol").status()).isEqualTo(VolumeHealth.Status.OWNER_UNCHECKED);
            writeRandom(v, 0, 4096);
            faults.outage(false);
            a.snapshot("vol", "after the outage", T); // the head chain is intact
            assertThat(v.changedChunks()).isZero();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("lock")) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }
}
