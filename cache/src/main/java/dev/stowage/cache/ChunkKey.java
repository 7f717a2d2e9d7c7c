package dev.stowage.cache;

/** A chunk of a volume: the pool's volume number and the chunk index. */
record ChunkKey(int volume, long chunk) {
}
