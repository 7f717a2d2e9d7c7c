package dev.stowage.server.logging;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Process-wide list of secret values (secret access keys, session tokens, SSE-C keys) that must
 * never appear in a log line or an error message. Every log layout and every config error passes
 * its text through {@link #redact(String)}.
 *
 * <p>Threading: thread-safe; registration is rare (start-up), redaction is lock-free.
 * Values shorter than {@link #MIN_LENGTH} characters are not registered, so that redaction does not
 * mangle ordinary words.
 */
public final class Redactor {

    /** Shortest value worth redacting. */
    public static final int MIN_LENGTH = 4;

    /** What a secret is replaced with. */
    public static final String MASK = "****";

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private Redactor() {
    }

    /** Remembers {@code secret} so that it is masked from now on. Null and short values are ignored. */
    public static void register(String secret) {
        if (secret != null) {
            String s = secret.strip();
            if (s.length() >= MIN_LENGTH) {
                SECRETS.add(s);
            }
        }
    }

    /** {@code text} with every registered secret replaced by {@link #MASK}; null stays null. */
    public static String redact(String text) {
        if (text == null || SECRETS.isEmpty()) {
            return text;
        }
        String out = text;
        // Longest first, so that a secret containing another is masked whole.
        List<String> sorted = SECRETS.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        for (String s : sorted) {
            if (out.contains(s)) {
                out = out.replace(s, MASK);
            }
        }
        return out;
    }
}
