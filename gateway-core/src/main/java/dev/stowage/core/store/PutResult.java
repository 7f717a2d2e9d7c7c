package dev.stowage.core.store;

/**
 * What a successful write left in the store.
 *
 * @param key  key relative to the store's prefix
 * @param etag entity tag without quotes
 * @param size bytes stored
 */
public record PutResult(String key, String etag, long size) {
}
