package dev.stowage.core.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.stowage.core.store.ArchiveState;
import dev.stowage.core.store.StorageClass;

class ArchiveStatesTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void coldClassWithoutRestoreIsArchivedAndHotClassIsOnline() {
        assertThat(ArchiveStates.of(StorageClass.GLACIER, null, null, NOW)).isEqualTo(ArchiveState.ARCHIVED);
        assertThat(ArchiveStates.of(StorageClass.DEEP_ARCHIVE, "", null, NOW)).isEqualTo(ArchiveState.ARCHIVED);
        assertThat(ArchiveStates.of(StorageClass.GLACIER_IR, null, null, NOW)).isEqualTo(ArchiveState.ONLINE);
        assertThat(ArchiveStates.of(StorageClass.STANDARD, null, null, NOW)).isEqualTo(ArchiveState.ONLINE);
    }

    @Test
    void ongoingRestoreIsRestoring() {
        assertThat(ArchiveStates.of(StorageClass.GLACIER, "ongoing-request=\"true\"", null, NOW))
                .isEqualTo(ArchiveState.RESTORING);
        assertThat(ArchiveStates.of(StorageClass.GLACIER, "ongoing-request = \"TRUE\"", null, NOW))
                .isEqualTo(ArchiveState.RESTORING);
    }

    @Test
    void finishedRestoreIsRestoredUntilItsExpiry() {
        String header = "ongoing-request=\"false\", expiry-date=\"Tue, 02 Jun 2026 00:00:00 GMT\"";
        assertThat(ArchiveStates.of(StorageClass.GLACIER, header, null, NOW)).isEqualTo(ArchiveState.RESTORED);
        assertThat(ArchiveStates.of(StorageClass.GLACIER, header, null, Instant.parse("2026-06-02T00:00:01Z")))
                .isEqualTo(ArchiveState.ARCHIVED);
        assertThat(ArchiveStates.expiry(header)).isEqualTo(Instant.parse("2026-06-02T00:00:00Z"));
    }

    @Test
    void intelligentTieringArchiveTiers() {
        assertThat(ArchiveStates.of(StorageClass.INTELLIGENT_TIERING, null, "ARCHIVE_ACCESS", NOW))
                .isEqualTo(ArchiveState.ARCHIVED);
        assertThat(ArchiveStates.of(StorageClass.INTELLIGENT_TIERING, "ongoing-request=\"false\"", null, NOW))
                .isEqualTo(ArchiveState.ONLINE);
        assertThat(ArchiveStates.of(StorageClass.INTELLIGENT_TIERING, null, null, NOW)).isEqualTo(ArchiveState.ONLINE);
    }

    @Test
    void unknownVendorClassesAreReadSafely() {
        assertThat(ArchiveStates.storageClass("STANDARD_IA")).isEqualTo(StorageClass.STANDARD_IA);
        assertThat(ArchiveStates.storageClass("EXPRESS_ONEZONE")).isEqualTo(StorageClass.STANDARD);
        assertThat(ArchiveStates.storageClass("GLACIER_DEEP")).isEqualTo(StorageClass.GLACIER);
        assertThat(ArchiveStates.storageClass("OVH_DEEP_ARCHIVE")).isEqualTo(StorageClass.DEEP_ARCHIVE);
        assertThat(ArchiveStates.ofListing(StorageClass.DEEP_ARCHIVE)).isEqualTo(ArchiveState.ARCHIVED);
    }
}
