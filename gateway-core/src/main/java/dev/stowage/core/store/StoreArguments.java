package dev.stowage.core.store;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Argument checks every {@link ObjectStore} implementation applies the same way, so that a key or a
 * metadata map that one store accepts is accepted by all of them. Stateless and thread-safe; every
 * check throws {@link IllegalArgumentException} (or {@link NullPointerException} for null) with a
 * message that names the bad value.
 */
public final class StoreArguments {

    /** S3's limit on the UTF-8 length of a full key (prefix included). */
    public static final int MAX_KEY_BYTES = 1024;
    /** S3's limit on the total size of user metadata (keys and values, UTF-8). */
    public static final int MAX_METADATA_BYTES = 2048;
    /** Most objects one delete request may name. */
    public static final int MAX_DELETE_BATCH = 1000;

    private StoreArguments() {
    }

    /** Checks a key relative to the store's prefix: non-empty, at most 1024 bytes with the prefix, no control characters. */
    public static String key(String key, String prefix) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("object key must not be empty");
        }
        int bytes = (prefix + key).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("object key is " + bytes + " bytes with the prefix; S3 allows at most "
                    + MAX_KEY_BYTES + ": " + abbreviate(key));
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("object key contains control character 0x"
                        + Integer.toHexString(c) + " at position " + i + ": " + abbreviate(key));
            }
        }
        return key;
    }

    /**
     * Checks user metadata and returns it with lower-case keys: keys are letters, digits, '-', '_' or '.';
     * values are printable ASCII (what survives an HTTP header unchanged); the total is at most 2 KiB.
     */
    public static Map<String, String> metadata(Map<String, String> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        var out = new java.util.LinkedHashMap<String, String>();
        int total = 0;
        for (var e : metadata.entrySet()) {
            String k = Objects.requireNonNull(e.getKey(), "metadata key").toLowerCase(Locale.ROOT);
            String v = Objects.requireNonNull(e.getValue(), () -> "metadata value of '" + k + "'");
            if (k.isEmpty() || !k.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.')) {
                throw new IllegalArgumentException("metadata key '" + k
                        + "' is not allowed: use letters, digits, '-', '_' and '.' only");
            }
            if (!v.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("metadata value of '" + k
                        + "' must be printable ASCII (encode other bytes, e.g. as hex or base64)");
            }
            if (out.put(k, v) != null) {
                throw new IllegalArgumentException("metadata key '" + k + "' is given twice (keys are case-insensitive)");
            }
            total += k.length() + v.length();
        }
        if (total > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("user metadata is " + total + " bytes; S3 allows at most "
                    + MAX_METADATA_BYTES);
        }
        return out;
    }

    /** Checks the page size of a listing (1..1000). */
    public static int maxKeys(int maxKeys) {
        if (maxKeys < 1 || maxKeys > 1000) {
            throw new IllegalArgumentException("maxKeys must be between 1 and 1000, got " + maxKeys);
        }
        return maxKeys;
    }

    /** Checks the number of days a restored copy stays readable (1..36500). */
    public static int restoreDays(int days) {
        if (days < 1 || days > 36_500) {
            throw new IllegalArgumentException("restore days must be between 1 and 36500, got " + days);
        }
        return days;
    }

    /** Copies may not carry write conditions: S3-compatible services do not agree on conditional copies. */
    public static PutOptions copyOptions(PutOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.ifNoneMatch() || options.ifMatch() != null) {
            throw new IllegalArgumentException("copy does not support ifNoneMatch/ifMatch; "
                    + "check the target with head() first or copy to a fresh key");
        }
        return options;
    }

    private static String abbreviate(String key) {
        return key.length() <= 80 ? "'" + key + "'" : "'" + key.substring(0, 77) + "...'";
    }
}
