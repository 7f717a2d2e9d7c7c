package dev.stowage.core.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What the store knows about one object.
 *
 * @param key          key relative to the store's prefix
 * @param size         length in bytes
 * @param etag         entity tag without quotes, as the store reports it
 * @param lastModified when the object was written
 * @param storageClass where it is stored
 * @param archiveState whether it can be read now; listings may report {@link ArchiveState#ARCHIVED}
 *                     for a restored object since S3 listings do not carry restore state
 * @param metadata     user metadata (keys lower-case, without the x-amz-meta- prefix); empty in listings
 */
public record ObjectInfo(String key, long size, String etag, Instant lastModified,
                         StorageClass storageClass, ArchiveState archiveState, Map<String, String> metadata) {

    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(storageClass, "storageClass");
        Objects.requireNonNull(archiveState, "archiveState");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
