package dev.stowage.core.chunk;

/**
 * Counters of a {@link ChunkStore} since it was created (a snapshot; counters only grow).
 *
 * @param chunksUploaded     chunk objects written to the bucket
 * @param bytesUploaded      bytes of those objects (stored size: after compression and encryption)
 * @param chunksDeduplicated puts that found the chunk already in the bucket and uploaded nothing
 * @param chunksDownloaded   chunk objects read from the bucket
 * @param bytesDownloaded    bytes of those objects (stored size)
 * @param chunksDeleted      chunk objects deleted
 * @param corruptChunks      reads that failed verification ({@link CorruptChunkException})
 */
public record ChunkStoreStats(long chunksUploaded, long bytesUploaded, long chunksDeduplicated,
                              long chunksDownloaded, long bytesDownloaded, long chunksDeleted, long corruptChunks) {
}
