package dev.stowage.iscsi.login;

import dev.stowage.iscsi.pdu.LoginRequest;
import dev.stowage.iscsi.pdu.LoginResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LoginStateMachineTest {
    private static final String INITIATOR = "iqn.2026-11.dev.stowage.test:host";
    private static final String OPEN = "iqn.2026-11.dev.stowage:open";
    private static final String LOCKED = "iqn.2026-11.dev.stowage:locked";
    private static final String PRIVATE = "iqn.2026-11.dev.stowage:private";

    /** A login context with three targets and a recorder for bind calls. */
    static final class Context implements LoginContext {
        final List<LoginResult> bound = new ArrayList<>();

        @Override
        public LoginTarget findTarget(String name) {
            return switch (name) {
                case OPEN -> new LoginTarget(OPEN, "open disk", null, Set.of());
                case LOCKED -> new LoginTarget(LOCKED, null, ChapCredentials.oneWay("alice", "alice-secret-1"), Set.of());
                case PRIVATE -> new LoginTarget(PRIVATE, null, null, Set.of("iqn.2026-11.other:host"));
                default -> null;
            };
        }

        @Override
        public ChapCredentials discoveryChap() {
            return null;
        }

        @Override
        public int portalGroupTag() {
            return 7;
        }

        @Override
        public TargetLimits limits() {
            return TargetLimits.defaults();
        }

        @Override
        public int commandWindow() {
            return 32;
        }

        @Override
        public int bind(LoginResult result) {
            bound.add(result);
            return 0x1234;
        }
    }

    private final Context context = new Context();
    private final LoginStateMachine login = new LoginStateMachine(context, new SecureRandom());

    private static LoginRequest request(boolean transit, int csg, int nsg, String... pairs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            sb.append(pairs[i]).append('=').append(pairs[i + 1]).append('\0');
        }
        return new LoginRequest(transit, false, csg, nsg, 0, 0, 0x23d000001L, 0, 1, 0, 10, 500,
                java.nio.ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, String> keys(LoginResponse r) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        TextKeys.parse(r.data()).forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @Test
    void operationalLoginReachesFullFeaturePhase() throws Exception {
        LoginStateMachine.Step step = login.process(request(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", OPEN,
                "MaxBurstLength", "65536", "HeaderDigest", "CRC32C,None"));
        assertThat(step.outcome()).isEqualTo(LoginStateMachine.Outcome.FULL_FEATURE);
        LoginResponse r = step.response();
        assertThat(r.statusClass()).isZero();
        assertThat(r.transit()).isTrue();
        assertThat(r.nsg()).isEqualTo(3);
        assertThat(r.tsih()).isEqualTo(0x1234);
        assertThat(r.statSn()).isEqualTo(500);
        assertThat(r.expCmdSn()).isEqualTo(10);
        assertThat(r.maxCmdSn()).isEqualTo(10 + 31);
        assertThat(keys(r)).containsEntry("TargetPortalGroupTag", "7").containsEntry("TargetAlias", "open disk")
                .containsEntry("MaxBurstLength", "65536").containsEntry("HeaderDigest", "CRC32C")
                .containsEntry("MaxRecvDataSegmentLength", "262144");
        LoginResult bound = context.bound.getFirst();
        assertThat(bound.parameters().headerDigest()).isTrue();
        assertThat(bound.initiatorPort()).isEqualTo(INITIATOR + ",i,0x00023d000001");
        assertThat(bound.nextStatSn()).isEqualTo(501);
    }

    @Test
    void securityStageWithNoneThenOperational() throws Exception {
        LoginStateMachine.Step s1 = login.process(request(true, 0, 1, "InitiatorName", INITIATOR, "TargetName", OPEN,
                "AuthMethod", "CHAP,None"));
        assertThat(s1.outcome()).isEqualTo(LoginStateMachine.Outcome.CONTINUE);
        assertThat(keys(s1.response())).containsEntry("AuthMethod", "None");
        assertThat(s1.response().transit()).isTrue();
        assertThat(s1.response().nsg()).isEqualTo(1);
        LoginStateMachine.Step s2 = login.process(request(true, 1, 3, "ImmediateData", "No"));
        assertThat(s2.outcome()).isEqualTo(LoginStateMachine.Outcome.FULL_FEATURE);
        assertThat(s2.response().statSn()).isEqualTo(501);
        assertThat(context.bound.getFirst().parameters().immediateData()).isFalse();
    }

    @Test
    void chapLoginSucceedsWithTheRightSecret() throws Exception {
        LoginStateMachine.Step s1 = login.process(request(false, 0, 1, "InitiatorName", INITIATOR, "TargetName", LOCKED,
                "AuthMethod", "None,CHAP"));
        assertThat(keys(s1.response())).containsEntry("AuthMethod", "CHAP");
        Map<String, String> c = keys(login.process(request(false, 0, 1, "CHAP_A", "5")).response());
        byte[] challenge = HexFormat.of().parseHex(c.get("CHAP_C").substring(2));
        String r = "0x" + HexFormat.of().formatHex(ChapAuthenticator.md5(Integer.parseInt(c.get("CHAP_I")),
                "alice-secret-1".getBytes(StandardCharsets.UTF_8), challenge));
        LoginStateMachine.Step s3 = login.process(request(true, 0, 3, "CHAP_N", "alice", "CHAP_R", r));
        assertThat(s3.outcome()).isEqualTo(LoginStateMachine.Outcome.FULL_FEATURE);
    }

    @Test
    void wrongChapSecretFailsWithAuthenticationFailure() throws Exception {
        login.process(request(false, 0, 1, "InitiatorName", INITIATOR, "TargetName", LOCKED, "AuthMethod", "CHAP"));
        Map<String, String> c = keys(login.process(request(false, 0, 1, "CHAP_A", "5")).response());
        byte[] challenge = HexFormat.of().parseHex(c.get("CHAP_C").substring(2));
        String r = "0x" + HexFormat.of().formatHex(ChapAuthenticator.md5(Integer.parseInt(c.get("CHAP_I")),
                "wrong".getBytes(StandardCharsets.UTF_8), challenge));
        LoginStateMachine.Step s = login.process(request(true, 0, 1, "CHAP_N", "alice", "CHAP_R", r));
        assertThat(s.outcome()).isEqualTo(LoginStateMachine.Outcome.FAILED);
        assertThat(s.response().statusClass() << 8 | s.response().statusDetail()).isEqualTo(0x0201);
        assertThat(context.bound).isEmpty();
    }

    @Test
    void chapTargetCannotBeReachedWithoutAuthentication() {
        assertThat(login.process(request(true, 0, 1, "InitiatorName", INITIATOR, "TargetName", LOCKED,
                "AuthMethod", "None")).status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        LoginStateMachine skip = new LoginStateMachine(context, new SecureRandom());
        assertThat(skip.process(request(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", LOCKED)).status())
                .isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
        LoginStateMachine noMethod = new LoginStateMachine(context, new SecureRandom());
        assertThat(noMethod.process(request(true, 0, 3, "InitiatorName", INITIATOR, "TargetName", LOCKED)).status())
                .isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void loginErrorsMapToTheirStatus() {
        assertThat(new LoginStateMachine(context, new SecureRandom())
                .process(request(true, 1, 3, "TargetName", OPEN)).status()).isEqualTo(LoginStatus.MISSING_PARAMETER);
        assertThat(new LoginStateMachine(context, new SecureRandom())
                .process(request(true, 1, 3, "InitiatorName", INITIATOR)).status()).isEqualTo(LoginStatus.MISSING_PARAMETER);
        assertThat(new LoginStateMachine(context, new SecureRandom())
                .process(request(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", "iqn.2026-11.nope:x")).status())
                .isEqualTo(LoginStatus.NOT_FOUND);
        assertThat(new LoginStateMachine(context, new SecureRandom())
                .process(request(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", PRIVATE)).status())
                .isEqualTo(LoginStatus.AUTHORIZATION_FAILURE);
        assertThat(new LoginStateMachine(context, new SecureRandom())
                .process(request(true, 1, 3, "InitiatorName", INITIATOR, "SessionType", "Weird")).status())
                .isEqualTo(LoginStatus.SESSION_TYPE_NOT_SUPPORTED);
        assertThat(new LoginStateMachine(context, new SecureRandom())
                .process(request(true, 1, 0, "InitiatorName", INITIATOR, "TargetName", OPEN)).status())
                .isEqualTo(LoginStatus.INITIATOR_ERROR);
        LoginRequest future = new LoginRequest(true, false, 1, 3, 2, 1, 1, 0, 1, 0, 1, 1, null);
        assertThat(new LoginStateMachine(context, new SecureRandom()).process(future).status())
                .isEqualTo(LoginStatus.UNSUPPORTED_VERSION);
    }

    @Test
    void discoverySessionNeedsNoTargetName() {
        LoginStateMachine.Step s = login.process(request(true, 1, 3, "InitiatorName", INITIATOR, "SessionType",
                "Discovery", "MaxBurstLength", "1024"));
        assertThat(s.outcome()).isEqualTo(LoginStateMachine.Outcome.FULL_FEATURE);
        assertThat(context.bound.getFirst().parameters().discovery()).isTrue();
        assertThat(context.bound.getFirst().target()).isNull();
    }

    @Test
    void continuedTextIsGatheredBeforeAnswering() throws Exception {
        String text = "InitiatorName=" + INITIATOR + "\0TargetName=" + OPEN + "\0";
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        int cut = 20;
        LoginRequest first = new LoginRequest(false, true, 1, 0, 0, 0, 5, 0, 1, 0, 1, 1,
                java.nio.ByteBuffer.wrap(all, 0, cut));
        LoginStateMachine.Step s1 = login.process(first);
        assertThat(s1.outcome()).isEqualTo(LoginStateMachine.Outcome.CONTINUE);
        assertThat(s1.response().data().remaining()).isZero();
        LoginRequest second = new LoginRequest(true, false, 1, 3, 0, 0, 5, 0, 1, 0, 1, 1,
                java.nio.ByteBuffer.wrap(all, cut, all.length - cut));
        assertThat(login.process(second).outcome()).isEqualTo(LoginStateMachine.Outcome.FULL_FEATURE);
    }
}
