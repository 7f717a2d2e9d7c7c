package dev.stowage.cache;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.manifest.ManifestStore;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import java.util.TreeSet;

/**
 * What a bucket holds and what its published roots reference, computed independently of the
 * reclaim code (through {@link ManifestStore#forEachPage} and {@link ManifestStore#forEachChunk}).
 */
final class BucketOracle {
    private BucketOracle() {
    }

    /** Every key under {@code chunks/}. */
    static TreeSet<String> chunkKeys(ObjectStore store) {
        TreeSet<String> out = new TreeSet<>();
        for (ObjectInfo i : store.listAll("chunks/")) {
            out.add(i.key());
        }
        return out;
    }

    /** The chunk keys reachable from every volume head and snapshot record. */
    static TreeSet<String> referencedKeys(ObjectStore store, ManifestStore manifests) {
        TreeSet<String> out = new TreeSet<>();
        for (ObjectInfo i : store.listAll("volumes/")) {
            if (i.key().endsWith("/head")) {
                add(out, VolumeHead.decode(store.get(i.key()), i.key()).root(), manifests);
            }
        }
        for (ObjectInfo i : store.listAll("snapshots/")) {
            add(out, Snapshot.decode(store.get(i.key()), i.key()).root(), manifests);
        }
        return out;
    }

    private static void add(TreeSet<String> out, ChunkId root, ManifestStore manifests) {
        out.add(root.objectKey());
        VolumeManifest m = manifests.loadRoot(root);
        manifests.forEachPage(m, p -> out.add(p.objectKey()));
        manifests.forEachChunk(m, (index, c) -> out.add(c.objectKey()));
    }
}
