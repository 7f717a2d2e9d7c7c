package dev.stowage.core.chunk;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes {@link ChunkId}s: HMAC-SHA-256 of a chunk's plaintext under the gateway's chunk-id
 * secret. Keyed, so an id reveals nothing about the content to whoever can list the bucket
 * (a plain hash would let anyone confirm a guess of what a chunk holds).
 *
 * <p>The secret names every chunk in the bucket and is needed to verify them on read, so it
 * never changes for the life of a bucket prefix (unlike encryption keys, see {@link KeyRing}).
 * Losing it does not lose data, but chunks can no longer be verified against their ids.
 *
 * <p>Key file format: one line of 64 hex digits ({@code openssl rand -hex 32}); blank lines and
 * lines starting with {@code #} are ignored.
 *
 * <p>Thread-safe: each call uses its own {@link Mac}. {@link #toString()} never shows the secret.
 */
public final class ChunkHasher {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /** A hasher over a 32-byte secret (copied). */
    public ChunkHasher(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length != KeyFiles.KEY_BYTES) {
            throw new IllegalArgumentException("the chunk-id secret is " + KeyFiles.KEY_BYTES + " bytes, got "
                    + secret.length);
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        newMac(); // fail now, not on the first chunk, if the JDK lacks the algorithm
    }

    /** Loads the secret from a key file (see the class comment for the format). */
    public static ChunkHasher fromKeyFile(Path file) {
        List<KeyFiles.Line> lines = KeyFiles.read(file);
        if (lines.size() != 1) {
            throw new IllegalArgumentException("chunk-id key file " + file + " must hold exactly one line of "
                    + 2 * KeyFiles.KEY_BYTES + " hex digits, found " + lines.size() + " non-comment lines");
        }
        KeyFiles.Line line = lines.getFirst();
        return new ChunkHasher(KeyFiles.parseKey(line.text(), file, line.number()));
    }

    /**
     * Creates a key file with a fresh random secret (owner-only permissions, forced to disk) and
     * returns its hasher. Refuses to overwrite an existing file: replacing the secret would orphan
     * every chunk already in the bucket.
     */
    public static ChunkHasher generateKeyFile(Path file) {
        byte[] secret = KeyFiles.newKey();
        KeyFiles.createSecretFile(file, "# Stowage chunk-id secret (HMAC-SHA-256). It names every chunk in the bucket:\n"
                + "# never change it, and back it up with the encryption keys.\n"
                + java.util.HexFormat.of().formatHex(secret) + "\n");
        return new ChunkHasher(secret);
    }

    /** The id of {@code plaintext}. */
    public ChunkId idOf(byte[] plaintext) {
        return idOf(plaintext, 0, plaintext.length);
    }

    /** The id of {@code length} bytes of {@code data} from {@code offset}. */
    public ChunkId idOf(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        Mac mac = newMac();
        mac.update(data, offset, length);
        return ChunkId.of(mac.doFinal());
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("chunk-id secret rejected by " + ALGORITHM, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "ChunkHasher[HMAC-SHA-256, secret hidden]";
    }
}
