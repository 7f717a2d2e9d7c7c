package dev.stowage.cache.reclaim;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one reclaim run did.
 *
 * @param started         when the run began (the grace period counts back from here)
 * @param finished        when it ended
 * @param rootsMarked     manifest roots walked (volume heads, snapshots, engines' in-memory roots)
 * @param chunksMarked    distinct live chunks found (data chunks, manifest pages and root records)
 * @param chunksListed    chunk objects listed under {@code chunks/}
 * @param chunksDeleted   chunk objects deleted
 * @param bytesFreed      stored bytes of the deleted chunks
 * @param skippedByFence  unmarked chunks kept because a put returned them during the run
 * @param skippedByGrace  unmarked chunks kept because they were modified within the grace period
 * @param foreignObjects  objects under {@code chunks/} whose key is not a chunk key (never deleted)
 * @param failedPrefixes  {@code chunks/xx/} prefixes not swept completely (after all attempts), in order
 * @param errors          the first few errors, one line each
 */
public record ReclaimReport(Instant started, Instant finished, long rootsMarked, long chunksMarked,
                            long chunksListed, long chunksDeleted, long bytesFreed, long skippedByFence,
                            long skippedByGrace, long foreignObjects, List<String> failedPrefixes,
                            List<String> errors) {

    public ReclaimReport {
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(finished, "finished");
        failedPrefixes = List.copyOf(failedPrefixes);
        errors = List.copyOf(errors);
    }

    /** True when every prefix was swept and every delete succeeded; otherwise run again later. */
    public boolean complete() {
        return failedPrefixes.isEmpty() && errors.isEmpty();
    }
}
