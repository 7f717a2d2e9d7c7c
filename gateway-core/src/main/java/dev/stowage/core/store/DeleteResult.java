package dev.stowage.core.store;

import java.util.Map;

/**
 * Outcome of a batch delete.
 *
 * @param deleted number of keys deleted (or already absent)
 * @param failed  keys that could not be deleted, with the store's reason
 */
public record DeleteResult(int deleted, Map<String, String> failed) {

    public DeleteResult {
        failed = Map.copyOf(failed);
    }

    public boolean allDeleted() {
        return failed.isEmpty();
    }
}
