package dev.stowage.server.volumes;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A request for a volume made from a snapshot or cloned from another volume. Exactly one of
 * {@code snapshotId} and {@code sourceVolumeId} is set. Immutable.
 *
 * @param id             the new volume's id
 * @param type           which engine creates it
 * @param snapshotId     the snapshot it starts from, or null
 * @param sourceVolumeId the volume whose latest recovery point it starts from, or null
 * @param blockSize      512 or 4096
 * @param path           local disk file for engines that keep primary data locally (stored volumes), else null
 */
public record NewVolume(String id, VolumeType type, String snapshotId, String sourceVolumeId, int blockSize, Path path) {
    public NewVolume {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        if ((snapshotId == null) == (sourceVolumeId == null)) {
            throw VolumeException.invalid("give either a snapshot or a source volume to create volume " + id + " from");
        }
        if (blockSize != 512 && blockSize != 4096) {
            throw VolumeException.invalid("block size " + blockSize + " is not supported; use 512 or 4096");
        }
    }
}
