package dev.stowage.cache.stored;

import dev.stowage.core.chunk.ChunkStore;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.store.ObjectStore;
import java.util.Objects;

/**
 * Where stored volumes keep their snapshots: the chunk store (data chunks and manifest pages,
 * deduplicated, compressed, optionally encrypted), the manifest store over it, and the object store
 * for {@code volumes/<id>/head} and {@code snapshots/<id>}. The same three a {@code CachePool} uses,
 * so snapshots of both kinds of volume share one format. Immutable; the parts are thread-safe.
 */
public record Bucket(ChunkStore chunks, ManifestStore manifests, ObjectStore store) {
    public Bucket {
        Objects.requireNonNull(chunks, "chunks");
        Objects.requireNonNull(manifests, "manifests");
        Objects.requireNonNull(store, "store");
    }
}
