package dev.stowage.core.chunk;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys for chunk encryption: one current key that new chunks are encrypted with,
 * and older keys that are kept only to read chunks written before a rotation. Each chunk's header
 * names the id of the key it was encrypted with, so keys rotate without rewriting the bucket.
 *
 * <p>Rotating: add a new line {@code key.N=...} with a fresh key, set {@code current=N}, restart.
 * Never remove an old key while chunks encrypted with it may still be referenced.
 *
 * <p>Key file format (text; blank lines and {@code #} comments ignored):
 * <pre>
 * current=2
 * key.1=&lt;64 hex digits&gt;
 * key.2=&lt;64 hex digits&gt;
 * </pre>
 * Key ids are 1..2147483647 (0 means "not encrypted" in the chunk header).
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows key ids only, never key material.
 */
public final class KeyRing {

    private static final String AES = "AES";

    private final int currentKeyId;
    private final Map<Integer, SecretKey> keys;

    /**
     * @param currentKeyId id of the key new chunks are encrypted with; must be in {@code keys}
     * @param keys         key id (at least 1) to 32-byte AES key (copied)
     */
    public KeyRing(int currentKeyId, Map<Integer, byte[]> keys) {
        Objects.requireNonNull(keys, "keys");
        TreeMap<Integer, SecretKey> copy = new TreeMap<>();
        for (Map.Entry<Integer, byte[]> e : keys.entrySet()) {
            int id = Objects.requireNonNull(e.getKey(), "key id");
            byte[] material = Objects.requireNonNull(e.getValue(), "key material");
            if (id < 1) {
                throw new IllegalArgumentException("encryption key ids start at 1, got " + id);
            }
            if (material.length != KeyFiles.KEY_BYTES) {
                throw new IllegalArgumentException("encryption key " + id + " must be " + KeyFiles.KEY_BYTES
                        + " bytes (AES-256), got " + material.length);
            }
            copy.put(id, new SecretKeySpec(material.clone(), AES));
        }
        if (!copy.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("the current encryption key id " + currentKeyId
                    + " is not among the keys " + copy.keySet());
        }
        this.currentKeyId = currentKeyId;
        this.keys = Collections.unmodifiableMap(copy);
    }

    /** A ring with a single key, which is current. */
    public static KeyRing single(int keyId, byte[] key) {
        return new KeyRing(keyId, Map.of(keyId, key));
    }

    /** Loads a ring from a key file (see the class comment for the format). */
    public static KeyRing load(Path file) {
        List<KeyFiles.Line> lines = KeyFiles.read(file);
        Integer current = null;
        TreeMap<Integer, byte[]> keys = new TreeMap<>();
        for (KeyFiles.Line line : lines) {
            int eq = line.text().indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("key file " + file + " line " + line.number()
                        + ": expected current=<id> or key.<id>=<64 hex digits>");
            }
            String name = line.text().substring(0, eq).strip();
            String value = line.text().substring(eq + 1).strip();
            if (name.equals("current")) {
                if (current != null) {
                    throw new IllegalArgumentException("key file " + file + " line " + line.number()
                            + ": 'current' is set twice");
                }
                current = parseId(value, file, line.number());
            } else if (name.startsWith("key.")) {
                int id = parseId(name.substring(4), file, line.number());
                if (keys.put(id, KeyFiles.parseKey(value, file, line.number())) != null) {
                    throw new IllegalArgumentException("key file " + file + " line " + line.number()
                            + ": key." + id + " is defined twice");
                }
            } else {
                throw new IllegalArgumentException("key file " + file + " line " + line.number() + ": unknown entry '"
                        + name + "' (expected current or key.<id>)");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("key file " + file + " holds no key.<id>=... line");
        }
        if (current == null) {
            if (keys.size() > 1) {
                throw new IllegalArgumentException("key file " + file
                        + " holds several keys but no current=<id> line saying which one encrypts new chunks");
            }
            current = keys.firstKey();
        }
        if (!keys.containsKey(current)) {
            throw new IllegalArgumentException("key file " + file + ": current=" + current
                    + " but there is no key." + current + " line");
        }
        return new KeyRing(current, keys);
    }

    /**
     * Creates a key ring file holding one fresh random key, id 1, current (owner-only permissions,
     * forced to disk). Refuses to overwrite an existing file.
     */
    public static KeyRing generateKeyFile(Path file) {
        byte[] key = KeyFiles.newKey();
        KeyRing ring = single(1, key);
        KeyFiles.createSecretFile(file, render(ring, Map.of(1, key)));
        return ring;
    }

    /**
     * Rotates the key ring file: adds a fresh random key with the next id and makes it current,
     * keeping every older key for reading old chunks. The file is replaced atomically.
     *
     * @return the new ring (new chunks are encrypted with the new key once the gateway uses it)
     */
    public static KeyRing rotateKeyFile(Path file) {
        KeyRing old = load(file);
        int last = old.keys.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (last == Integer.MAX_VALUE) {
            throw new IllegalStateException("key file " + file + " has used up key ids");
        }
        int next = last + 1;
        byte[] key = KeyFiles.newKey();
        List<String> raw;
        try {
            raw = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        // Keep the operator's comments and keys; point current at the new key and append it.
        StringBuilder b = new StringBuilder();
        boolean replaced = false;
        for (String line : raw) {
            String t = line.strip();
            if (!t.startsWith("#") && t.indexOf('=') > 0 && t.substring(0, t.indexOf('=')).strip().equals("current")) {
                b.append("current=").append(next).append('\n');
                replaced = true;
            } else {
                b.append(line).append('\n');
            }
        }
        if (!replaced) {
            b.append("current=").append(next).append('\n');
        }
        b.append("key.").append(next).append('=').append(java.util.HexFormat.of().formatHex(key)).append('\n');
        KeyFiles.replaceSecretFile(file, b.toString());
        KeyRing rotated = load(file);
        if (rotated.currentKeyId() != next) {
            throw new IllegalStateException("key file " + file + " did not rotate to key " + next);
        }
        return rotated;
    }

    private static String render(KeyRing ring, Map<Integer, byte[]> material) {
        StringBuilder b = new StringBuilder("# Stowage chunk encryption keys. New chunks use the current key; keep every\n"
                + "# older key while chunks encrypted with it may exist. Back this file up.\n");
        b.append("current=").append(ring.currentKeyId()).append('\n');
        new TreeMap<>(material).forEach((id, key) ->
                b.append("key.").append(id).append('=').append(java.util.HexFormat.of().formatHex(key)).append('\n'));
        return b.toString();
    }

    private static int parseId(String text, Path file, int line) {
        try {
            int id = Integer.parseInt(text);
            if (id >= 1) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("key file " + file + " line " + line + ": a key id is a whole number from 1 to "
                + Integer.MAX_VALUE + ", got '" + text + "'");
    }

    /** Id of the key new chunks are encrypted with. */
    public int currentKeyId() {
        return currentKeyId;
    }

    /** The current key. */
    SecretKey currentKey() {
        return keys.get(currentKeyId);
    }

    /** The key with this id, or null when the ring does not hold it. */
    SecretKey key(long keyId) {
        return keyId < 1 || keyId > Integer.MAX_VALUE ? null : keys.get((int) keyId);
    }

    /** Ids of all keys in the ring, ascending. */
    public SortedSet<Integer> keyIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keys.keySet()));
    }

    @Override
    public String toString() {
        return "KeyRing[current=" + currentKeyId + ", ids=" + keys.keySet() + "]";
    }
}
