package dev.stowage.core.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.stowage.core.store.ArchiveState;
import dev.stowage.core.store.ArchivedException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreContractTest;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StorageClass;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.UnavailableException;

class InMemoryObjectStoreTest extends ObjectStoreContractTest {

    /** A clock the tests move by hand. */
    static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private final ManualClock clock = new ManualClock();

    @Override
    protected ObjectStore newStore() {
        return new InMemoryObjectStore("test", clock, MULTIPART_THRESHOLD, PART_SIZE);
    }

    private InMemoryObjectStore memory() {
        return (InMemoryObjectStore) store;
    }

    @Test
    void objectsWrittenToAColdClassAreArchivedUntilRestored() {
        store.put("tape/1", bytes("data"), PutOptions.DEFAULT.withStorageClass(StorageClass.DEEP_ARCHIVE));

        assertThat(store.head("tape/1").archiveState()).isEqualTo(ArchiveState.ARCHIVED);
        assertThatThrownBy(() -> store.get("tape/1")).isInstanceOf(ArchivedException.class)
                .hasMessageContaining("restore");
        assertThatThrownBy(() -> store.copy("tape/1", "copy", PutOptions.DEFAULT)).isInstanceOf(ArchivedException.class);

        store.requestRestore("tape/1", 2, RestoreTier.BULK);
        assertThat(store.head("tape/1").archiveState()).isEqualTo(ArchiveState.RESTORING);
        assertThatThrownBy(() -> store.get("tape/1")).isInstanceOf(ArchivedException.class)
                .hasMessageContaining("in progress");
        store.requestRestore("tape/1", 2, RestoreTier.BULK); // asking again while it runs is accepted

        memory().completeRestore("tape/1");
        assertThat(store.head("tape/1").archiveState()).isEqualTo(ArchiveState.RESTORED);
        assertThat(store.get("tape/1")).isEqualTo(bytes("data"));
        assertThat(store.list("tape/", null, 10).objects().getFirst().storageClass()).isEqualTo(StorageClass.DEEP_ARCHIVE);

        clock.advance(Duration.ofDays(2).plusSeconds(1));
        assertThat(store.head("tape/1").archiveState()).isEqualTo(ArchiveState.ARCHIVED);
        assertThatThrownBy(() -> store.get("tape/1")).isInstanceOf(ArchivedException.class);
    }

    @Test
    void lifecycleTransitionAndEarlyExpiryAreSimulated() {
        store.put("obj", bytes("x"), PutOptions.DEFAULT);
        memory().archive("obj", StorageClass.GLACIER);
        assertThat(store.head("obj").storageClass()).isEqualTo(StorageClass.GLACIER);
        assertThat(store.head("obj").archiveState()).isEqualTo(ArchiveState.ARCHIVED);

        store.requestRestore("obj", 7, RestoreTier.EXPEDITED);
        memory().completeRestore("obj");
        memory().expireRestore("obj");
        assertThat(store.head("obj").archiveState()).isEqualTo(ArchiveState.ARCHIVED);
        assertThatThrownBy(() -> memory().completeRestore("obj")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> memory().archive("obj", StorageClass.STANDARD_IA))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void restoreOfAnOnlineObjectSaysThereIsNothingToRestore() {
        store.put("hot", bytes("x"), PutOptions.DEFAULT);
        assertThatThrownBy(() -> store.requestRestore("hot", 1, RestoreTier.STANDARD))
                .isInstanceOf(StoreFailureException.class).hasMessageContaining("nothing to restore");
        assertThatThrownBy(() -> store.requestRestore("hot", 0, RestoreTier.STANDARD))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMultipartUploadFailingMidwayLeavesNoObjectAndNoUpload() throws Exception {
        Path f = tmp.resolve("big.bin");
        Files.write(f, random((int) (3 * PART_SIZE), 9));
        memory().failMultipartAtPart(2, () -> new UnavailableException("link down"));

        assertThatThrownBy(() -> store.putLarge("big", f, PutOptions.DEFAULT))
                .isInstanceOf(UnavailableException.class);

        assertThat(memory().multipartUploadsInProgress()).isEmpty();
        assertThat(store.find("big")).isEmpty();
        // The fault is used up: the next upload goes through.
        store.putLarge("big", f, PutOptions.DEFAULT);
        assertThat(store.get("big")).isEqualTo(Files.readAllBytes(f));
    }

    @Test
    void storedBytesAreNotAliasedWithTheCallersArray() {
        byte[] data = bytes("abc");
        store.put("alias", data, PutOptions.DEFAULT);
        data[0] = 'X';
        store.get("alias")[1] = 'Y';
        assertThat(store.get("alias")).isEqualTo(bytes("abc"));
    }

    @Test
    void callsAfterCloseFail() {
        store.close();
        assertThatThrownBy(() -> store.get("k")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
