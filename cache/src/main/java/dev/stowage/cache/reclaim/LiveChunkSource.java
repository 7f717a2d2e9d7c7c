package dev.stowage.cache.reclaim;

import dev.stowage.core.chunk.ChunkId;

/**
 * An engine (cache pool, stored volumes, tape library...) that holds references to chunks that
 * the bucket's published roots ({@code volumes/<id>/head}, {@code snapshots/<id>}) may not show
 * yet: committed roots whose head is not published, uploads not yet committed, roots being copied
 * into a new volume. Register it with {@link Reclaimer#register}; reclaim keeps everything it reports.
 *
 * <p><b>Contract.</b> A run calls {@link #runStarting} after the chunk store's fence has begun
 * recording puts (so every chunk put from then on is protected by the fence), then lists the
 * bucket's heads and snapshot records, then calls {@link #reportLiveChunks}. The report must name
 * every chunk id the engine obtained before the fence began and may still reference in a root it
 * will store, every root it may still adopt (take a snapshot of, clone, publish), and every root
 * it wrote a reference to in the bucket (e.g. a snapshot record) since {@link #runStarting}
 * began. One reclaimer per source. An engine that holds ids in
 * local variables between "put returned" and "visible to the report" must make the report wait
 * for those windows to close, and must keep new windows that adopt <em>existing</em> roots from
 * starting while it reports (the cache pool uses a read-write lock for both).
 *
 * <p><b>Threading:</b> called from the reclaim thread while the engine keeps working; must be
 * thread-safe and should return quickly (collect ids, do not read the bucket). Exceptions abort
 * the reclaim run before anything is deleted.
 */
public interface LiveChunkSource {

    /** Receives live references. Not thread-safe: call it from the reporting thread only. */
    interface Sink {
        /** A manifest root record: the record, every page of its tree and every data chunk it names are live. */
        void root(ChunkId rootRecord);

        /** One chunk (data chunk, page, or record) is live on its own. */
        void chunk(ChunkId chunk);
    }

    /** A run starts: from now until the report, remember the roots newly referenced in the bucket. */
    default void runStarting() {
    }

    /** Reports the engine's live references; see the interface comment for what must be included. */
    void reportLiveChunks(Sink sink);

    /** A short name for logs and reports, e.g. "cache pool /var/cache/stowage". */
    String describe();
}
