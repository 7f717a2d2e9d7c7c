package dev.stowage.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Checks the {@code cache} section and builds {@link CacheConfig}. Changes nothing on disk. The
 * first problem stops validation with a {@link ConfigException} naming the dotted key. Not
 * thread-safe (one instance per load).
 */
final class CacheValidator {

    static final long MIN_CHUNK = 64 * 1024;
    static final long MAX_CHUNK = 64L * 1024 * 1024;
    static final int MAX_UPLOADS = 256;

    private final ConfigValidator v;
    private final Path dataDir;

    CacheValidator(ConfigValidator v, Path dataDir) {
        this.v = v;
        this.dataDir = dataDir;
    }

    /** Null when the section is absent. */
    CacheConfig validate(RawConfig.Cache raw) {
        if (raw == null) {
            return null;
        }
        Path dir = raw.dir() == null || raw.dir().isBlank() ? dataDir.resolve("cache")
                : ConfigValidator.path(raw.dir().strip(), dataDir).normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw v.error("cache.dir", "'" + dir + "' exists and is not a directory",
                    "point cache.dir at a directory (it is created when missing)");
        }
        long chunk = raw.chunkSize() == null || raw.chunkSize().isBlank() ? 1 << 20
                : Values.size(v.key("cache.chunk_size"), raw.chunkSize());
        if (chunk < MIN_CHUNK || chunk > MAX_CHUNK || Long.bitCount(chunk) != 1) {
            throw v.error("cache.chunk_size", "'" + raw.chunkSize() + "' is not a power of two from 64KiB to 64MiB",
                    "use e.g. 1MiB (the default); it cannot change once volumes exist");
        }
        if (raw.size() == null || raw.size().isBlank()) {
            throw v.error("cache.size", "is missing", "write how much local disk the cache may use, e.g. size: 4GiB");
        }
        long size = Values.size(v.key("cache.size"), raw.size());
        long slots = size / chunk;
        if (slots < 2 || size % chunk != 0) {
            throw v.error("cache.size", "'" + raw.size() + "' is not a whole number (at least 2) of " + chunk
                    + "-byte chunks", "use a multiple of cache.chunk_size, e.g. 4GiB");
        }
        if (slots > Integer.MAX_VALUE) {
            throw v.error("cache.size", "'" + raw.size() + "' holds more than " + Integer.MAX_VALUE + " chunks",
                    "use a smaller size or a larger cache.chunk_size");
        }
        Duration settle = raw.settleDelay() == null || raw.settleDelay().isBlank() ? Duration.ofSeconds(5)
                : Values.duration(v.key("cache.settle_delay"), raw.settleDelay());
        int uploads = raw.uploadParallelism() == null ? 4 : raw.uploadParallelism();
        if (uploads < 1 || uploads > MAX_UPLOADS) {
            throw v.error("cache.upload_parallelism", uploads + " is out of range", "use 1 to " + MAX_UPLOADS + " (4 is the default)");
        }
        Path keyFile = null;
        if (raw.encryption() != null) {
            String text = raw.encryption().keyFile();
            if (text == null || text.isBlank()) {
                throw v.error("cache.encryption.key_file", "is missing",
                        "write the path of the encryption key file (created with a fresh key at first start when missing), "
                                + "or remove cache.encryption");
            }
            keyFile = ConfigValidator.path(text.strip(), dataDir).normalize();
            if (Files.isDirectory(keyFile)) {
                throw v.error("cache.encryption.key_file", keyFile + " is a directory", "name a file");
            }
        }
        return new CacheConfig(dir, (int) chunk, (int) slots, settle, uploads, dataDir.resolve("keys"), keyFile);
    }
}
