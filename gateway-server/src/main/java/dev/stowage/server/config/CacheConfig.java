package dev.stowage.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The checked {@code cache} section: where the write-back cache lives and how it behaves, and
 * where the secret keys of the bucket's chunks are kept. Immutable; holds paths, never key material.
 *
 * @param dir               the cache directory (journal, data file)
 * @param chunkSize         bytes per chunk = per cache slot, a power of two from 64 KiB to 64 MiB
 * @param slotCount         number of slots ({@code size / chunk_size})
 * @param settleDelay       how long a chunk stays unchanged before it is uploaded
 * @param uploadParallelism uploads at once
 * @param keysDir           directory of the key files ({@code <data_dir>/keys})
 * @param encryptionKeyFile key ring file for chunk encryption (AES-256-GCM), or null for none
 */
public record CacheConfig(Path dir, int chunkSize, int slotCount, Duration settleDelay, int uploadParallelism,
                          Path keysDir, Path encryptionKeyFile) {

    /** File name of the chunk-id secret inside {@link #keysDir}. */
    public static final String CHUNK_ID_KEY = "chunk-id.key";

    public CacheConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(settleDelay, "settleDelay");
        Objects.requireNonNull(keysDir, "keysDir");
    }

    /** The chunk-id secret's file. */
    public Path chunkIdKeyFile() {
        return keysDir.resolve(CHUNK_ID_KEY);
    }

    /** Cache size in bytes. */
    public long sizeBytes() {
        return (long) chunkSize * slotCount;
    }
}
