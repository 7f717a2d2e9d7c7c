package dev.stowage.cache.reclaim;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.VolumeHead;
import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.ChunkStore;
import dev.stowage.core.chunk.manifest.ManifestPage;
import dev.stowage.core.chunk.manifest.VolumeManifest;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mark phase of one reclaim run: collects the live roots and walks them into a {@link MarkSet}.
 * Roots, in this order: every {@code volumes/<id>/head} and every {@code snapshots/<id>} in the
 * bucket, then what the registered {@link LiveChunkSource}s report (in-memory roots, uncommitted
 * uploads, roots referenced since {@link LiveChunkSource#runStarting}, which is called before the
 * listing). A reference written to the bucket after the listing began was made by an engine,
 * which reports it (or, if it starts after the report, refers to a root at least as new as the
 * reported one, whose new pages and chunks the fence protects).
 *
 * <p>Each root marks its record, every page of its tree and every data chunk. A page already
 * walked in this run is not read again (pages are content-addressed and immutable, so the subtree
 * below an id is always the same): snapshots that share most pages cost little.
 *
 * <p><b>Errors:</b> anything that keeps the mark from being complete (an unreadable or unparsable
 * head, snapshot record, root or page; a failing engine) is a {@link ReclaimException}: deleting
 * with an incomplete mark could delete live data. A record deleted between listing and reading is
 * skipped (it is no longer a root). Not thread-safe: one run, one thread.
 */
final class Marker {
    private static final String VOLUMES = "volumes/";
    private static final String HEAD = "/head";

    private final ObjectStore bucket;
    private final ChunkStore chunks;
    private final MarkSet marks = new MarkSet();
    private final Set<ChunkId> walkedPages = new HashSet<>(); // exact: a subtree is skipped only when truly walked
    private final Set<ChunkId> walkedRoots = new HashSet<>();

    Marker(ObjectStore bucket, ChunkStore chunks) {
        this.bucket = bucket;
        this.chunks = chunks;
    }

    MarkSet marks() {
        return marks;
    }

    long rootsWalked() {
        return walkedRoots.size();
    }

    /** Marks everything live; see the class comment. */
    void markAll(List<LiveChunkSource> sources) {
        Map<ChunkId, String> roots = new LinkedHashMap<>();
        for (LiveChunkSource source : sources) {
            try {
                source.runStarting();
            } catch (RuntimeException e) {
                throw new ReclaimException("reclaim stopped: " + source.describe() + " could not prepare: "
                        + e.getMessage(), e);
            }
        }
        for (ObjectInfo info : list(VOLUMES)) {
            String key = info.key();
            if (!key.endsWith(HEAD) || key.indexOf('/', VOLUMES.length()) != key.length() - HEAD.length()) {
                continue; // not a head (other objects of a volume are no roots)
            }
            byte[] data = read(key);
            if (data == null) {
                continue;
            }
            try {
                roots.putIfAbsent(VolumeHead.decode(data, key).root(), key);
            } catch (IllegalArgumentException e) {
                throw new ReclaimException("reclaim stopped: " + e.getMessage()
                        + " (it may name live chunks; fix or remove it, then run again)", e);
            }
        }
        for (ObjectInfo info : list(Snapshot.PREFIX)) {
            byte[] data = read(info.key());
            if (data == null) {
                continue;
            }
            try {
                roots.putIfAbsent(Snapshot.decode(data, info.key()).root(), info.key());
            } catch (IllegalArgumentException e) {
                throw new ReclaimException("reclaim stopped: " + e.getMessage()
                        + " (it may name live chunks; fix or remove it, then run again)", e);
            }
        }
        for (LiveChunkSource source : sources) {
            try {
                source.reportLiveChunks(new LiveChunkSource.Sink() {
                    @Override
                    public void root(ChunkId rootRecord) {
                        roots.putIfAbsent(rootRecord, source.describe());
                    }

                    @Override
                    public void chunk(ChunkId chunk) {
                        marks.add(chunk);
                    }
                });
            } catch (RuntimeException e) {
                throw new ReclaimException("reclaim stopped: " + source.describe() + " could not report its live chunks: "
                        + e.getMessage(), e);
            }
        }
        for (Map.Entry<ChunkId, String> r : roots.entrySet()) {
            walkRoot(r.getKey(), r.getValue());
        }
    }

    private List<ObjectInfo> list(String prefix) {
        try {
            List<ObjectInfo> out = new ArrayList<>();
            bucket.listAll(prefix).forEach(out::add);
            return out;
        } catch (RuntimeException e) {
            throw new ReclaimException("reclaim stopped: cannot list " + prefix + " in " + bucket.describe() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The object's bytes, or null when it was deleted after the listing. */
    private byte[] read(String key) {
        try {
            return bucket.get(key);
        } catch (NotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            throw new ReclaimException("reclaim stopped: cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    private void walkRoot(ChunkId root, String origin) {
        marks.add(root);
        if (!walkedRoots.add(root)) {
            return;
        }
        try {
            VolumeManifest m = VolumeManifest.decode(chunks.get(root), root);
            if (m.rootPage() != null) {
                walkPage(m.rootPage(), m.depth() - 1);
            }
        } catch (RuntimeException e) {
            throw new ReclaimException("reclaim stopped: the manifest of root " + root.hex() + " (from " + origin
                    + ") cannot be read completely: " + e.getMessage(), e);
        }
    }

    private void walkPage(ChunkId id, int level) {
        marks.add(id);
        if (walkedPages.contains(id)) {
            return;
        }
        ManifestPage page = ManifestPage.decode(chunks.get(id), id);
        if (page.level() != level) {
            throw new IllegalStateException("page " + id.hex() + " is at level " + page.level() + " where level "
                    + level + " is expected");
        }
        for (int i = 0; i < page.size(); i++) {
            if (level == 0) {
                marks.add(page.idAt(i));
            } else {
                walkPage(page.idAt(i), level - 1);
            }
        }
        walkedPages.add(id); // only after its whole subtree is marked
    }
}
