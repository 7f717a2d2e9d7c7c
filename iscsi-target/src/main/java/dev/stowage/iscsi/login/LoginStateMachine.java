package dev.stowage.iscsi.login;

import dev.stowage.iscsi.pdu.LoginRequest;
import dev.stowage.iscsi.pdu.LoginResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The login phase of one connection (RFC 7143 sections 6.3 and 7).
 *
 * <pre>
 *   stage 0 SECURITY  --AuthMethod None, or CHAP succeeded, and T=1--> NSG (1 or 3)
 *   stage 1 OPERATIONAL --T=1, NSG=3--> FULL FEATURE (LoginContext.bind assigns the TSIH)
 *   any error --> FAILED (one login response with the error status; the connection closes)
 * </pre>
 *
 * A target with CHAP credentials cannot be reached without passing stage 0 with CHAP. Text that
 * spans several PDUs (C bit) is gathered up to 64 KiB and answered with empty responses until
 * the last piece arrives. Each response consumes one StatSN, starting at the initiator's
 * ExpStatSN of the first request.
 *
 * <p><b>Threading:</b> not thread-safe; one per connection, driven by its reader.
 */
public final class LoginStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(LoginStateMachine.class);
    private static final int MAX_TEXT = 65536;
    private static final int SECURITY = 0;
    private static final int OPERATIONAL = 1;
    private static final int FULL_FEATURE = 3;

    /** Whether login goes on, finished, or failed. */
    public enum Outcome { CONTINUE, FULL_FEATURE, FAILED }

    /** One response and what follows it. {@code result} is set for FULL_FEATURE. */
    public record Step(LoginResponse response, Outcome outcome, LoginResult result, LoginStatus status, String reason) {
    }

    private final LoginContext context;
    private final SecureRandom random;
    private final Negotiator negotiator;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean first = true;
    private int stage;
    private long isid;
    private int tsih;
    private int cid;
    private int cmdSn;
    private int statSn;
    private boolean discovery;
    private LoginTarget target;
    private ChapCredentials chap;
    private String authMethod;
    private ChapAuthenticator authenticator;
    private boolean authenticated;
    private boolean declaredOperational;
    private boolean done;

    public LoginStateMachine(LoginContext context, SecureRandom random) {
        this.context = context;
        this.random = random;
        this.negotiator = new Negotiator(KeyTable.STANDARD, context.limits());
    }

    /** Handles one Login Request. After FULL_FEATURE or FAILED, further calls fail the login. */
    public Step process(LoginRequest request) {
        try {
            return handle(request);
        } catch (LoginException e) {
            done = true;
            LOG.info("login from {} failed: {} ({})", negotiator.value("InitiatorName"), e.status(), e.getMessage());
            LoginResponse response = new LoginResponse(false, false, 0, 0, 0, 0, request.isid(), 0,
                    request.initiatorTaskTag(), statSn++, cmdSn, cmdSn, e.status().statusClass(), e.status().detail(),
                    null);
            return new Step(response, Outcome.FAILED, null, e.status(), e.getMessage());
        }
    }

    private Step handle(LoginRequest request) throws LoginException {
        if (done) {
            throw new LoginException(LoginStatus.INVALID_DURING_LOGIN, "login already finished");
        }
        if (first) {
            first = false;
            isid = request.isid();
            tsih = request.tsih();
            cid = request.cid();
            cmdSn = request.cmdSn();
            statSn = request.expStatSn();
            stage = request.csg();
            if (request.versionMin() > 0) {
                throw new LoginException(LoginStatus.UNSUPPORTED_VERSION,
                        "initiator needs iSCSI version " + request.versionMin() + ", we speak 0");
            }
        }
        if (request.isid() != isid || request.tsih() != tsih) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "ISID or TSIH changed during login");
        }
        if (request.csg() != stage || (stage != SECURITY && stage != OPERATIONAL)) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR,
                    "login stage " + request.csg() + " not expected (current stage " + stage + ")");
        }
        if (request.transit() && (request.nsg() <= request.csg() || request.nsg() == 2)) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR,
                    "invalid stage transition " + request.csg() + " -> " + request.nsg());
        }
        if (pending.size() + request.data().remaining() > MAX_TEXT) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "login text longer than " + MAX_TEXT + " bytes");
        }
        byte[] chunk = new byte[request.data().remaining()];
        request.data().duplicate().get(chunk);
        pending.writeBytes(chunk);
        if (request.cont()) {
            if (request.transit()) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "C and T bits both set");
            }
            return new Step(response(request, false, List.of()), Outcome.CONTINUE, null, LoginStatus.SUCCESS, null);
        }
        List<Map.Entry<String, String>> pairs;
        try {
            pairs = TextKeys.parse(pending.toByteArray());
        } catch (TextKeys.MalformedTextException e) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, e.getMessage());
        }
        pending.reset();
        Map<String, String> keys = new HashMap<>();
        for (Map.Entry<String, String> p : pairs) {
            keys.put(p.getKey(), p.getValue());
        }

        List<Map.Entry<String, String>> answer = new ArrayList<>();
        boolean introduce = target == null && !discovery;
        try {
            answer.addAll(negotiator.respond(pairs, "Discovery".equals(keys.getOrDefault("SessionType",
                    negotiator.value("SessionType")))));
        } catch (Negotiator.NegotiationException e) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, e.getMessage());
        }
        if (introduce) {
            identify();
            if (!discovery) {
                answer.add(Map.entry("TargetPortalGroupTag", Integer.toString(context.portalGroupTag())));
                if (target.alias() != null && !target.alias().isEmpty()) {
                    answer.add(Map.entry("TargetAlias", target.alias()));
                }
            }
        }

        if (stage == SECURITY) {
            authenticate(keys, answer);
        } else if (keys.containsKey("AuthMethod") || keys.keySet().stream().anyMatch(k -> k.startsWith("CHAP_"))) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "security keys outside the security stage");
        }
        if (stage == OPERATIONAL && !authenticated) {
            if (chap != null) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                        "target requires CHAP but the initiator skipped security negotiation");
            }
            authenticated = true;
        }

        boolean transit = request.transit();
        if (transit && stage == SECURITY && !authenticated) {
            if (authMethod == null && chap == null) {
                authenticated = true;   // AuthMethod defaults to None
            } else if (authMethod == null) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "target requires CHAP");
            } else {
                transit = false;        // CHAP exchange not finished: stay in the security stage
            }
        }
        if ((stage == OPERATIONAL || (transit && request.nsg() == FULL_FEATURE)) && !declaredOperational) {
            declaredOperational = true;
            answer.add(Map.entry("MaxRecvDataSegmentLength", Integer.toString(context.limits().maxRecvDataSegmentLength())));
        }
        if (!transit) {
            return new Step(response(request, false, answer), Outcome.CONTINUE, null, LoginStatus.SUCCESS, null);
        }
        if (request.nsg() != FULL_FEATURE) {
            LoginResponse r = response(request, true, answer);
            stage = request.nsg();
            return new Step(r, Outcome.CONTINUE, null, LoginStatus.SUCCESS, null);
        }
        SessionParameters params = negotiator.result();
        LoginResult result = new LoginResult(params.initiatorName(), isid, tsih, cid, target, params, cmdSn, statSn + 1);
        tsih = context.bind(result);
        done = true;
        LoginResponse r = response(request, true, answer);
        return new Step(r, Outcome.FULL_FEATURE, result, LoginStatus.SUCCESS, null);
    }

    /** Checks the declarations of the first request: names, session type, target, authorization. */
    private void identify() throws LoginException {
        String initiator = negotiator.value("InitiatorName");
        if (initiator == null || initiator.isEmpty()) {
            throw new LoginException(LoginStatus.MISSING_PARAMETER, "InitiatorName missing");
        }
        String type = negotiator.value("SessionType");
        if (type == null || type.equals("Normal")) {
            String name = negotiator.value("TargetName");
            if (name == null || name.isEmpty()) {
                throw new LoginException(LoginStatus.MISSING_PARAMETER, "TargetName missing in a normal session");
            }
            target = context.findTarget(name);
            if (target == null) {
                throw new LoginException(LoginStatus.NOT_FOUND, "no target named " + name);
            }
            if (!target.allows(initiator)) {
                throw new LoginException(LoginStatus.AUTHORIZATION_FAILURE,
                        "initiator " + initiator + " is not allowed to log in to " + name);
            }
            chap = target.chap();
        } else if (type.equals("Discovery")) {
            discovery = true;
            chap = context.discoveryChap();
        } else {
            throw new LoginException(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "unknown SessionType " + type);
        }
    }

    private void authenticate(Map<String, String> keys, List<Map.Entry<String, String>> answer) throws LoginException {
        String offered = keys.get("AuthMethod");
        if (offered != null) {
            if (authMethod != null) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "AuthMethod offered twice");
            }
            List<String> methods = List.of(offered.split(","));
            String chosen = chap != null ? (methods.contains("CHAP") ? "CHAP" : null)
                    : (methods.contains("None") ? "None" : null);
            if (chosen == null) {
                answer.add(Map.entry("AuthMethod", "Reject"));
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                        chap != null ? "target requires CHAP, initiator offered " + offered
                                : "target has no CHAP secret, initiator offered only " + offered);
            }
            authMethod = chosen;
            answer.add(Map.entry("AuthMethod", chosen));
            if (chosen.equals("None")) {
                authenticated = true;
            } else {
                authenticator = new ChapAuthenticator(chap, random);
            }
        }
        boolean chapKeys = keys.keySet().stream().anyMatch(k -> k.startsWith("CHAP_"));
        if (chapKeys) {
            if (authenticator == null) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "CHAP keys without AuthMethod=CHAP");
            }
            ChapAuthenticator.State state = authenticator.step(keys, answer);
            if (state == ChapAuthenticator.State.FAILED) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, authenticator.failure());
            }
            if (state == ChapAuthenticator.State.SUCCEEDED) {
                authenticated = true;
            }
        }
    }

    private LoginResponse response(LoginRequest request, boolean transit, List<Map.Entry<String, String>> pairs) {
        ByteBuffer data = pairs.isEmpty() ? null : TextKeys.encode(pairs);
        int window = context.commandWindow();
        return new LoginResponse(transit, false, request.csg(), transit ? request.nsg() : 0, 0, 0, isid,
                transit && request.nsg() == FULL_FEATURE ? tsih : 0, request.initiatorTaskTag(), statSn++, cmdSn,
                cmdSn + window - 1, 0, 0, data);
    }
}
