package dev.stowage.core.chunk;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Deterministic test inputs: keys and chunk contents from fixed seeds. */
public final class TestData {

    private TestData() {
    }

    public static byte[] key(int seed) {
        byte[] k = new byte[32];
        new Random(seed * 7919L + 17).nextBytes(k);
        return k;
    }

    public static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Text-like content that zstd compresses well. */
    public static byte[] compressible(int length, long seed) {
        Random r = new Random(seed);
        String[] words = {"volume ", "tape ", "chunk ", "sector ", "block ", "the ", "of ", "gateway ", "\n"};
        byte[] out = new byte[length];
        int i = 0;
        while (i < length) {
            byte[] w = words[r.nextInt(words.length)].getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(w.length, length - i);
            System.arraycopy(w, 0, out, i, n);
            i += n;
        }
        return out;
    }

    public static ChunkHasher hasher() {
        return new ChunkHasher(key(1000));
    }
}
