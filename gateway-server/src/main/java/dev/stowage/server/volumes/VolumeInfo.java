package dev.stowage.server.volumes;

import java.util.Objects;

/**
 * What an engine knows about one of its volumes: enough for a catalog record. Immutable.
 *
 * @param id        volume id
 * @param type      the engine's type
 * @param sizeBytes size in bytes
 * @param blockSize logical block size the LUN uses (512 or 4096)
 * @param chunkSize bytes per chunk in the bucket
 */
public record VolumeInfo(String id, VolumeType type, long sizeBytes, int blockSize, int chunkSize) {
    public VolumeInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
    }
}
