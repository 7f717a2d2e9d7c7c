package dev.stowage.iscsi.login;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChapAuthenticatorTest {
    private static final ChapCredentials ONE_WAY = ChapCredentials.oneWay("alice", "secret-of-alice");
    private static final ChapCredentials MUTUAL = ChapCredentials.mutual("alice", "secret-of-alice", "target",
            "secret-of-target");

    private static Map<String, String> toMap(List<Map.Entry<String, String>> entries) {
        Map<String, String> m = new HashMap<>();
        entries.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    /** Runs the algorithm step; returns the target's CHAP_I and CHAP_C. */
    private static Map<String, String> challenge(ChapAuthenticator auth) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        assertThat(auth.step(Map.of("CHAP_A", "7,5"), out)).isEqualTo(ChapAuthenticator.State.AWAIT_RESPONSE);
        Map<String, String> m = toMap(out);
        assertThat(m).containsEntry("CHAP_A", "5");
        assertThat(m.get("CHAP_C")).startsWith("0x").hasSize(2 + 32);   // 16 random bytes
        return m;
    }

    private static String response(Map<String, String> challenge, String secret) {
        byte[] c = HexFormat.of().parseHex(challenge.get("CHAP_C").substring(2));
        return "0x" + HexFormat.of().formatHex(ChapAuthenticator.md5(Integer.parseInt(challenge.get("CHAP_I")),
                secret.getBytes(StandardCharsets.UTF_8), c));
    }

    @Test
    void oneWayChapAcceptsTheRightSecret() {
        ChapAuthenticator auth = new ChapAuthenticator(ONE_WAY, new SecureRandom());
        Map<String, String> c = challenge(auth);
        List<Map.Entry<String, String>> out = new ArrayList<>();
        assertThat(auth.step(Map.of("CHAP_N", "alice", "CHAP_R", response(c, "secret-of-alice")), out))
                .isEqualTo(ChapAuthenticator.State.SUCCEEDED);
        assertThat(out).isEmpty();
    }

    @Test
    void base64ResponsesAreAccepted() {
        ChapAuthenticator auth = new ChapAuthenticator(ONE_WAY, new SecureRandom());
        Map<String, String> c = challenge(auth);
        byte[] r = HexFormat.of().parseHex(response(c, "secret-of-alice").substring(2));
        assertThat(auth.step(Map.of("CHAP_N", "alice", "CHAP_R", "0b" + Base64.getEncoder().encodeToString(r)),
                new ArrayList<>())).isEqualTo(ChapAuthenticator.State.SUCCEEDED);
    }

    @Test
    void wrongSecretOrUserFails() {
        ChapAuthenticator auth = new ChapAuthenticator(ONE_WAY, new SecureRandom());
        Map<String, String> c = challenge(auth);
        assertThat(auth.step(Map.of("CHAP_N", "alice", "CHAP_R", response(c, "guess")), new ArrayList<>()))
                .isEqualTo(ChapAuthenticator.State.FAILED);
        assertThat(auth.failure()).doesNotContain("secret-of-alice").doesNotContain("guess");

        ChapAuthenticator other = new ChapAuthenticator(ONE_WAY, new SecureRandom());
        Map<String, String> c2 = challenge(other);
        assertThat(other.step(Map.of("CHAP_N", "mallory", "CHAP_R", response(c2, "secret-of-alice")), new ArrayList<>()))
                .isEqualTo(ChapAuthenticator.State.FAILED);
    }

    @Test
    void withoutMd5TheExchangeFails() {
        ChapAuthenticator auth = new ChapAuthenticator(ONE_WAY, new SecureRandom());
        List<Map.Entry<String, String>> out = new ArrayList<>();
        assertThat(auth.step(Map.of("CHAP_A", "7"), out)).isEqualTo(ChapAuthenticator.State.FAILED);
        assertThat(toMap(out)).containsEntry("CHAP_A", "Reject");
    }

    @Test
    void mutualChapProvesTheTargetsSecret() {
        ChapAuthenticator auth = new ChapAuthenticator(MUTUAL, new SecureRandom());
        Map<String, String> c = challenge(auth);
        byte[] mine = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        List<Map.Entry<String, String>> out = new ArrayList<>();
        assertThat(auth.step(Map.of("CHAP_N", "alice", "CHAP_R", response(c, "secret-of-alice"), "CHAP_I", "9",
                "CHAP_C", "0x00112233445566778899aabbccddeeff"), out)).isEqualTo(ChapAuthenticator.State.SUCCEEDED);
        Map<String, String> proof = toMap(out);
        assertThat(proof).containsEntry("CHAP_N", "target");
        assertThat(proof.get("CHAP_R")).isEqualTo("0x" + HexFormat.of().formatHex(
                ChapAuthenticator.md5(9, "secret-of-target".getBytes(StandardCharsets.UTF_8), mine)));
    }

    @Test
    void aReflectedChallengeIsRefused() {
        ChapAuthenticator auth = new ChapAuthenticator(MUTUAL, new SecureRandom());
        Map<String, String> c = challenge(auth);
        assertThat(auth.step(Map.of("CHAP_N", "alice", "CHAP_R", response(c, "secret-of-alice"), "CHAP_I", "1",
                "CHAP_C", c.get("CHAP_C")), new ArrayList<>())).isEqualTo(ChapAuthenticator.State.FAILED);
        assertThat(auth.failure()).contains("reflect");
    }

    @Test
    void mutualRequestWithoutMutualSecretFails() {
        ChapAuthenticator auth = new ChapAuthenticator(ONE_WAY, new SecureRandom());
        Map<String, String> c = challenge(auth);
        assertThat(auth.step(Map.of("CHAP_N", "alice", "CHAP_R", response(c, "secret-of-alice"), "CHAP_I", "1",
                "CHAP_C", "0x0102030405060708"), new ArrayList<>())).isEqualTo(ChapAuthenticator.State.FAILED);
    }

    @Test
    void credentialsNeverPrintSecretsAndRefuseASharedSecret() {
        assertThat(MUTUAL.toString()).doesNotContain("secret-of");
        assertThatThrownBy(() -> ChapCredentials.mutual("a", "same", "t", "same"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void challengesDiffer() {
        assertThat(challenge(new ChapAuthenticator(ONE_WAY, new SecureRandom())).get("CHAP_C"))
                .isNotEqualTo(challenge(new ChapAuthenticator(ONE_WAY, new SecureRandom())).get("CHAP_C"));
    }
}
