package dev.stowage.cache;

/**
 * The life of a cache slot (a chunk of a volume held on local disk). A slot with no entry is FREE.
 *
 * <pre>
 *   FREE ──write──────────────> DIRTY ──settle delay──> UPLOADING ──put ok──> UPLOADED ──commit ok──> CLEAN
 *   FREE ──read miss (fetch)──> CLEAN                      │  put failed: back to DIRTY with back-off     │
 *   CLEAN ──write──> DIRTY     UPLOADING/UPLOADED ──write──> (DIRTY again after the upload)              │
 *   CLEAN ──eviction (CLOCK)──> FREE          commit failed: stays UPLOADED, commit retried with back-off ┘
 * </pre>
 *
 * <ul>
 *   <li>Only CLEAN slots are ever evicted: their content is in the volume's committed recovery
 *       point (the CLEAN journal record is durable before the state changes in memory).</li>
 *   <li>A crash in any state loses nothing acknowledged: DIRTY, UPLOADING and UPLOADED slots are
 *       rebuilt from the journal as DIRTY and uploaded again (chunks are content-addressed, so a
 *       repeated upload stores nothing twice); CLEAN slots named by a WARM journal record are kept
 *       CLEAN and checked against its checksum when first used, others are dropped at recovery
 *       (their data is in the bucket) and read again on demand.</li>
 *   <li>A whole chunk that is unmapped becomes a slot-less entry that walks the same states
 *       (DIRTY → UPLOADED → committed as "zero", then the entry disappears).</li>
 * </ul>
 */
public enum SlotState {
    /** Holds the same data as the committed recovery point; may be evicted. */
    CLEAN,
    /** Holds writes not yet uploaded. */
    DIRTY,
    /** Being uploaded (a copy was taken; new writes make it DIRTY again afterwards). */
    UPLOADING,
    /** Uploaded as a chunk, waiting for the manifest commit that makes it part of a recovery point. */
    UPLOADED
}
