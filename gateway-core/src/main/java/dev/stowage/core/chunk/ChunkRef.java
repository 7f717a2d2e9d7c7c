package dev.stowage.core.chunk;

import java.util.Objects;

/**
 * A reference to a chunk in the bucket, as returned by {@link ChunkStore#put(byte[])}.
 *
 * @param id              the chunk's id (keyed hash of its plaintext)
 * @param plaintextLength length of the plaintext
 * @param storedLength    size of the chunk object in the bucket (header + compressed/encrypted payload);
 *                        for a deduplicated chunk, the size of the copy already there
 */
public record ChunkRef(ChunkId id, int plaintextLength, long storedLength) {

    public ChunkRef {
        Objects.requireNonNull(id, "id");
        if (plaintextLength < 0 || storedLength < 0) {
            throw new IllegalArgumentException("chunk sizes cannot be negative");
        }
    }
}
