package dev.stowage.iscsi.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The target side of CHAP (RFC 1994 as used by RFC 7143 section 12.1.3), MD5 only (CHAP_A=5).
 *
 * <pre>
 *   AWAIT_ALGORITHM --CHAP_A contains 5--> answer CHAP_A, CHAP_I, CHAP_C --> AWAIT_RESPONSE
 *   AWAIT_RESPONSE  --CHAP_N, CHAP_R correct [+ CHAP_I, CHAP_C for mutual]--> SUCCEEDED
 *   anything else (wrong name/response, no MD5, reflected challenge, mutual not configured) --> FAILED
 * </pre>
 *
 * The challenge is 16 random bytes from {@link SecureRandom}. In mutual CHAP a challenge equal to
 * ours (a reflection attack) fails. Secrets never appear in messages or logs.
 *
 * <p><b>Threading:</b> not thread-safe; one per login.
 */
public final class ChapAuthenticator {
    /** CHAP algorithm code for MD5. */
    public static final String MD5 = "5";
    private static final int CHALLENGE_LENGTH = 16;
    private static final int MAX_CHALLENGE_LENGTH = 1024;

    /** Progress of the exchange. */
    public enum State { AWAIT_ALGORITHM, AWAIT_RESPONSE, SUCCEEDED, FAILED }

    private final ChapCredentials credentials;
    private final SecureRandom random;
    private State state = State.AWAIT_ALGORITHM;
    private int identifier;
    private byte[] challenge;
    private String failure;

    public ChapAuthenticator(ChapCredentials credentials, SecureRandom random) {
        this.credentials = credentials;
        this.random = random;
    }

    public State state() {
        return state;
    }

    /** Why authentication failed (no secrets), or null. */
    public String failure() {
        return failure;
    }

    /**
     * Handles the CHAP keys of one login request and appends our answer to {@code response}.
     *
     * @return the state after this step
     */
    public State step(Map<String, String> keys, List<Map.Entry<String, String>> response) {
        switch (state) {
            case AWAIT_ALGORITHM -> {
                String algorithms = keys.get("CHAP_A");
                if (algorithms == null) {
                    return state;   // initiator has not started CHAP yet
                }
                if (!List.of(algorithms.split(",")).contains(MD5)) {
                    response.add(Map.entry("CHAP_A", "Reject"));
                    return fail("initiator offers no supported CHAP algorithm (CHAP_A=" + algorithms + ")");
                }
                identifier = random.nextInt(256);
                challenge = new byte[CHALLENGE_LENGTH];
                random.nextBytes(challenge);
                response.add(Map.entry("CHAP_A", MD5));
                response.add(Map.entry("CHAP_I", Integer.toString(identifier)));
                response.add(Map.entry("CHAP_C", "0x" + HexFormat.of().formatHex(challenge)));
                state = State.AWAIT_RESPONSE;
                return state;
            }
            case AWAIT_RESPONSE -> {
                return verify(keys, response);
            }
            default -> {
                return state;
            }
        }
    }

    private State verify(Map<String, String> keys, List<Map.Entry<String, String>> response) {
        String name = keys.get("CHAP_N");
        String answer = keys.get("CHAP_R");
        if (name == null || answer == null) {
            return fail("CHAP_N and CHAP_R missing");
        }
        byte[] received = decodeBinary(answer);
        byte[] expected = md5(identifier, credentials.secret(), challenge);
        if (!name.equals(credentials.user()) || received == null || !MessageDigest.isEqual(received, expected)) {
            return fail("CHAP response for user '" + name + "' does not match");
        }
        String mutualId = keys.get("CHAP_I");
        String mutualChallenge = keys.get("CHAP_C");
        if (mutualId != null || mutualChallenge != null) {
            if (!credentials.mutualEnabled()) {
                return fail("initiator asks for mutual CHAP but the target has no mutual secret");
            }
            long id = mutualId == null ? -1 : KeyDefinition.parseNumber(mutualId);
            byte[] theirs = mutualChallenge == null ? null : decodeBinary(mutualChallenge);
            if (id < 0 || id > 255 || theirs == null || theirs.length == 0) {
                return fail("malformed mutual CHAP_I/CHAP_C");
            }
            if (MessageDigest.isEqual(theirs, challenge)) {
                return fail("mutual CHAP challenge reflects the target's challenge");
            }
            response.add(Map.entry("CHAP_N", credentials.mutualUser()));
            response.add(Map.entry("CHAP_R",
                    "0x" + HexFormat.of().formatHex(md5((int) id, credentials.mutualSecret(), theirs))));
        }
        state = State.SUCCEEDED;
        return state;
    }

    private State fail(String why) {
        failure = why;
        state = State.FAILED;
        return state;
    }

    /** MD5(identifier || secret || challenge), the CHAP response. */
    static byte[] md5(int identifier, byte[] secret, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) identifier);
            md.update(secret);
            md.update(challenge);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    /** Decodes a CHAP binary value: 0x hex or 0b base64 (RFC 7143 section 6.1); null when malformed. */
    static byte[] decodeBinary(String value) {
        if (value.length() < 3 || value.length() > 2 + 2 * MAX_CHALLENGE_LENGTH) {
            return null;
        }
        String body = value.substring(2);
        try {
            if (value.startsWith("0x") || value.startsWith("0X")) {
                return HexFormat.of().parseHex(body.length() % 2 == 0 ? body : "0" + body);
            }
            if (value.startsWith("0b") || value.startsWith("0B")) {
                return Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
