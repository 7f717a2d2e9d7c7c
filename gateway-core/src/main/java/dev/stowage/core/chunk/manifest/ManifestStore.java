package dev.stowage.core.chunk.manifest;

import dev.stowage.core.chunk.ChunkId;
import dev.stowage.core.chunk.ChunkStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads and writes volume manifests ({@link VolumeManifest} roots and their {@link ManifestPage}
 * trees) as chunks in a {@link ChunkStore}, copy-on-write: {@link #commit} rewrites only the pages
 * on the paths to changed chunk indexes and shares every other page with the base root, so a
 * commit costs O(changed pages) and old roots (snapshots) stay intact.
 *
 * <p>Write order makes every stored root complete: children are stored before the pages that
 * name them, and a root is only returned after all its pages are in the bucket. Data chunks must
 * already be stored ({@link ChunkStore#put}) before a commit names them. {@link #saveRoot} stores
 * the root record itself, whose chunk id is what a snapshot or the catalog keeps.
 *
 * <p><b>Threading:</b> thread-safe. Decoded pages are cached (they are immutable and named by
 * their content, so the cache never goes stale). Commits to the same volume must be serialized
 * by the caller, each on the root the previous one returned; concurrent commits on one base make
 * two divergent successors.
 *
 * <p><b>Errors:</b> object-store failures and {@link dev.stowage.core.chunk.CorruptChunkException}
 * pass through from the chunk store; a page or root that is not a valid manifest is a
 * {@link CorruptManifestException}; bad arguments are {@link IllegalArgumentException}.
 */
public final class ManifestStore {

    /** Receives the present (non-zero) chunks of a volume in ascending index order. */
    @FunctionalInterface
    public interface ChunkVisitor {
        void visit(long index, ChunkId chunk);
    }

    private final ChunkStore chunks;
    private final int cacheCapacity;
    private final LinkedHashMap<ChunkId, ManifestPage> cache;

    /** @param pageCacheCapacity decoded pages kept in memory (a full page is about 36 KiB of ids); 0 disables */
    public ManifestStore(ChunkStore chunks, int pageCacheCapacity) {
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        if (pageCacheCapacity < 0) {
            throw new IllegalArgumentException("page cache capacity must be >= 0, got " + pageCacheCapacity);
        }
        this.cacheCapacity = pageCacheCapacity;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ChunkId, ManifestPage> eldest) {
                return size() > cacheCapacity;
            }
        };
    }

    /** Stores a root record; the returned id names this exact state of the volume (e.g. a snapshot). */
    public ChunkId saveRoot(VolumeManifest manifest) {
        return chunks.put(manifest.encode()).id();
    }

    /** Reads a root record stored by {@link #saveRoot}. */
    public VolumeManifest loadRoot(ChunkId id) {
        return VolumeManifest.decode(chunks.get(id), id);
    }

    /** The data chunk at {@code index}, or null when that chunk is all zeros. */
    public ChunkId chunkAt(VolumeManifest manifest, long index) {
        checkIndex(manifest, index);
        ChunkId pageId = manifest.rootPage();
        long first = 0;
        for (int level = manifest.depth() - 1; pageId != null; level--) {
            ManifestPage page = page(pageId, manifest, level, first);
            long span = manifest.span(level);
            int slot = (int) ((index - first) / span);
            ChunkId next = page.get(slot);
            if (level == 0) {
                return next;
            }
            first += slot * span;
            pageId = next;
        }
        return null;
    }

    /**
     * A new root with the given chunk indexes changed.
     *
     * @param updates chunk index to its new data chunk, or to null for "now all zeros"
     * @param when    creation time recorded in the new root
     */
    public VolumeManifest commit(VolumeManifest base, Map<Long, ChunkId> updates, Instant when) {
        TreeMap<Long, ChunkId> sorted = new TreeMap<>();
        for (Map.Entry<Long, ChunkId> e : updates.entrySet()) {
            long index = Objects.requireNonNull(e.getKey(), "chunk index");
            checkIndex(base, index);
            sorted.put(index, e.getValue());
        }
        ChunkId root = sorted.isEmpty() ? base.rootPage()
                : rewrite(base, base.rootPage(), base.depth() - 1, 0, sorted);
        return base.successor(base.volumeSize(), root, when);
    }

    /**
     * A new root for the volume grown to {@code newSize} bytes; the added range reads as zeros.
     * Volumes do not shrink (data beyond the end would silently vanish from snapshots' successors).
     */
    public VolumeManifest grow(VolumeManifest base, long newSize, Instant when) {
        if (newSize < base.volumeSize()) {
            throw new IllegalArgumentException("volume " + base.volumeId() + " cannot shrink from "
                    + base.volumeSize() + " to " + newSize + " bytes");
        }
        VolumeManifest grown = base.successor(newSize, base.rootPage(), when);
        ChunkId root = base.rootPage();
        // A deeper tree puts the old root into slot 0 of new pages above it.
        for (int level = base.depth(); level < grown.depth() && root != null; level++) {
            TreeMap<Integer, ChunkId> only = new TreeMap<>();
            only.put(0, root);
            root = store(ManifestPage.of(level, 0, base.fanOut(), only));
        }
        return root == base.rootPage() ? grown : base.successor(newSize, root, when);
    }

    /** Visits every non-zero chunk of the volume in ascending index order. */
    public void forEachChunk(VolumeManifest manifest, ChunkVisitor visitor) {
        if (manifest.rootPage() != null) {
            walk(manifest, manifest.rootPage(), manifest.depth() - 1, 0, visitor, null);
        }
    }

    /** Visits the id of every page of the tree (not the root record, not data chunks); for reclaim marking. */
    public void forEachPage(VolumeManifest manifest, Consumer<ChunkId> visitor) {
        if (manifest.rootPage() != null) {
            walk(manifest, manifest.rootPage(), manifest.depth() - 1, 0, null, visitor);
        }
    }

    /**
     * Visits the chunk indexes whose content differs between two states of the same volume
     * geometry (e.g. two snapshots), with the chunk in {@code newer} (null for zeros). Subtrees
     * with the same page id are skipped without reading them, so the cost follows the change.
     */
    public void forEachDifference(VolumeManifest older, VolumeManifest newer, ChunkVisitor visitor) {
        if (older.chunkSize() != newer.chunkSize() || older.fanOut() != newer.fanOut()
                || older.depth() != newer.depth()) {
            throw new IllegalArgumentException("manifests of different geometry cannot be compared: " + older
                    + " vs " + newer);
        }
        diff(newer, older.rootPage(), newer.rootPage(), newer.depth() - 1, 0, visitor);
    }

    private void diff(VolumeManifest m, ChunkId a, ChunkId b, int level, long first, ChunkVisitor visitor) {
        if (Objects.equals(a, b)) {
            return;
        }
        ManifestPage pa = a == null ? null : page(a, m, level, first);
        ManifestPage pb = b == null ? null : page(b, m, level, first);
        TreeMap<Integer, ChunkId> ea = pa == null ? new TreeMap<>() : pa.entries();
        TreeMap<Integer, ChunkId> eb = pb == null ? new TreeMap<>() : pb.entries();
        java.util.TreeSet<Integer> slots = new java.util.TreeSet<>(ea.keySet());
        slots.addAll(eb.keySet());
        long span = m.span(level);
        for (int slot : slots) {
            ChunkId ca = ea.get(slot);
            ChunkId cb = eb.get(slot);
            if (level == 0) {
                if (!Objects.equals(ca, cb)) {
                    visitor.visit(first + slot, cb);
                }
            } else {
                diff(m, ca, cb, level - 1, first + slot * span, visitor);
            }
        }
    }

    private void walk(VolumeManifest m, ChunkId pageId, int level, long first, ChunkVisitor chunkVisitor,
                      Consumer<ChunkId> pageVisitor) {
        if (pageVisitor != null) {
            pageVisitor.accept(pageId);
        }
        ManifestPage page = page(pageId, m, level, first);
        long span = m.span(level);
        for (int i = 0; i < page.size(); i++) {
            long childFirst = first + page.slotAt(i) * span;
            if (level == 0) {
                if (chunkVisitor != null) {
                    chunkVisitor.visit(childFirst, page.idAt(i));
                }
            } else {
                walk(m, page.idAt(i), level - 1, childFirst, chunkVisitor, pageVisitor);
            }
        }
    }

    /** Rewrites the subtree at {@code pageId} with {@code updates} (all within it); null when it ends up empty. */
    private ChunkId rewrite(VolumeManifest m, ChunkId pageId, int level, long first,
                            NavigableMap<Long, ChunkId> updates) {
        ManifestPage existing = pageId == null ? null : page(pageId, m, level, first);
        TreeMap<Integer, ChunkId> entries = existing == null ? new TreeMap<>() : existing.entries();
        long span = m.span(level);
        if (level == 0) {
            for (Map.Entry<Long, ChunkId> u : updates.entrySet()) {
                int slot = (int) (u.getKey() - first);
                if (u.getValue() == null) {
                    entries.remove(slot);
                } else {
                    entries.put(slot, u.getValue());
                }
            }
        } else {
            long from = updates.firstKey();
            while (true) {
                Map.Entry<Long, ChunkId> next = updates.ceilingEntry(from);
                if (next == null) {
                    break;
                }
                int slot = (int) ((next.getKey() - first) / span);
                long childFirst = first + slot * span;
                long childEnd = childFirst + span; // exclusive; may overflow only past any real index
                SortedMap<Long, ChunkId> group = childEnd < childFirst ? updates.tailMap(childFirst, true)
                        : updates.subMap(childFirst, true, childEnd, false);
                ChunkId child = rewrite(m, entries.get(slot), level - 1, childFirst, new TreeMap<>(group));
                if (child == null) {
                    entries.remove(slot);
                } else {
                    entries.put(slot, child);
                }
                if (childEnd < childFirst) {
                    break;
                }
                from = childEnd;
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        if (existing != null && entries.equals(existing.entries())) {
            return pageId; // nothing changed here (e.g. a chunk rewritten with identical content)
        }
        return store(ManifestPage.of(level, first, m.fanOut(), entries));
    }

    private ChunkId store(ManifestPage page) {
        ChunkId id = chunks.put(page.encode()).id();
        remember(id, page);
        return id;
    }

    /** Loads a page and checks that it is the page the tree expects at this position. */
    private ManifestPage page(ChunkId id, VolumeManifest m, int level, long first) {
        ManifestPage page;
        synchronized (cache) {
            page = cache.get(id);
        }
        if (page == null) {
            page = ManifestPage.decode(chunks.get(id), id);
            remember(id, page);
        }
        if (page.level() != level || page.firstIndex() != first || page.fanOut() != m.fanOut()) {
            throw new CorruptManifestException(id.hex(), "page at level " + page.level() + " from index "
                    + page.firstIndex() + " with fan-out " + page.fanOut() + " found where volume " + m.volumeId()
                    + " expects level " + level + " from index " + first + " with fan-out " + m.fanOut());
        }
        return page;
    }

    private void remember(ChunkId id, ManifestPage page) {
        if (cacheCapacity > 0) {
            synchronized (cache) {
                cache.put(id, page);
            }
        }
    }

    private static void checkIndex(VolumeManifest m, long index) {
        if (index < 0 || index >= m.chunkCount()) {
            throw new IllegalArgumentException("chunk index " + index + " is outside volume " + m.volumeId()
                    + " (0.." + (m.chunkCount() - 1) + ")");
        }
    }
}
