package dev.stowage.iscsi.login;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encoding of key=value pairs in Login and Text data segments: UTF-8, each pair terminated by a
 * NUL byte (RFC 7143 section 6.1). Stateless.
 */
public final class TextKeys {
    /** Longest key name allowed (RFC 7143 section 6.1). */
    public static final int MAX_KEY_LENGTH = 63;

    private TextKeys() {
    }

    /** A malformed text segment: a pair without '=', an empty or over-long key. */
    public static final class MalformedTextException extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedTextException(String message) {
            super(message);
        }
    }

    /** Parses pairs in order (duplicates kept, so callers can reject them). */
    public static List<Map.Entry<String, String>> parse(ByteBuffer data) throws MalformedTextException {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return parse(bytes);
    }

    public static List<Map.Entry<String, String>> parse(byte[] bytes) throws MalformedTextException {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i > start) {
                    String pair = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new MalformedTextException("text pair without key=value: " + abbreviate(pair));
                    }
                    if (eq > MAX_KEY_LENGTH) {
                        throw new MalformedTextException("key longer than 63 bytes: " + abbreviate(pair));
                    }
                    pairs.add(Map.entry(pair.substring(0, eq), pair.substring(eq + 1)));
                }
                start = i + 1;
            }
        }
        return pairs;
    }

    /** Encodes pairs, each followed by NUL. */
    public static ByteBuffer encode(List<Map.Entry<String, String>> pairs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : pairs) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\0');
        }
        return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
