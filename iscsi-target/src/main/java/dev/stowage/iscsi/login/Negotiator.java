package dev.stowage.iscsi.login;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers the initiator's operational key offers using the {@link KeyTable} and our
 * {@link TargetLimits}; accumulates the results of one login.
 *
 * <p>Rules (RFC 7143 section 6.2 and 13): unknown keys are answered NotUnderstood; values that
 * are not legal for the key are answered Reject and leave the default in force; a key offered
 * twice in one login is a protocol error; keys that only matter for normal sessions are answered
 * Irrelevant in a discovery session; declarative keys are recorded and not answered.
 *
 * <p><b>Threading:</b> not thread-safe; one per login. <b>Errors:</b> {@link NegotiationException}
 * for a protocol error that fails the login.
 */
public final class Negotiator {

    /** A negotiation error that fails the login with "initiator error". */
    public static final class NegotiationException extends Exception {
        private static final long serialVersionUID = 1L;

        public NegotiationException(String message) {
            super(message);
        }
    }

    private final KeyTable table;
    private final Map<String, String> ours;
    private final int ourMaxRecv;
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> negotiated = new HashSet<>();

    public Negotiator(KeyTable table, TargetLimits limits) {
        this.table = table;
        this.ours = limits.asKeyValues();
        this.ourMaxRecv = limits.maxRecvDataSegmentLength();
    }

    /** A value negotiated or declared so far, or null. */
    public String value(String key) {
        return values.get(key);
    }

    /** Records a value decided outside the table (e.g. by the login state machine). */
    public void put(String key, String value) {
        values.put(key, value);
    }

    /**
     * Answers {@code offers} (security keys are skipped: the authenticator handles those).
     *
     * @param discovery true in a discovery session
     * @return the response pairs, in offer order
     */
    public List<Map.Entry<String, String>> respond(List<Map.Entry<String, String>> offers, boolean discovery)
            throws NegotiationException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> offer : offers) {
            String key = offer.getKey();
            String value = offer.getValue();
            KeyDefinition def = table.get(key);
            if (def == null) {
                out.add(Map.entry(key, "NotUnderstood"));
                continue;
            }
            if (def.type() == KeyType.SECURITY) {
                continue;
            }
            if (def.type() != KeyType.STRING_DECLARATIVE && !negotiated.add(key)) {
                throw new NegotiationException("key " + key + " offered twice in one login");
            }
            if (value.equals("NotUnderstood") || value.equals("Irrelevant") || value.equals("Reject")) {
                continue;   // an answer to something we never offered: nothing to do
            }
            if (discovery && def.normalOnly()) {
                out.add(Map.entry(key, "Irrelevant"));
                continue;
            }
            String answer = answer(def, value);
            if (answer != null) {
                out.add(Map.entry(key, answer));
            }
        }
        return out;
    }

    private String answer(KeyDefinition def, String value) {
        String key = def.name();
        switch (def.type()) {
            case STRING_DECLARATIVE -> {
                values.put(key, value);
                return null;
            }
            case TARGET_DECLARATIVE -> {
                return "Reject";
            }
            case IRRELEVANT -> {
                return "Irrelevant";
            }
            case NUMERIC_DECLARATIVE -> {
                if (!def.valid(value)) {
                    return "Reject";
                }
                values.put(key, Long.toString(KeyDefinition.parseNumber(value)));
                return null;
            }
            case LIST -> {
                String supported = "," + ours.getOrDefault(key, def.defaultValue()) + ",";
                for (String candidate : value.split(",")) {
                    if (!candidate.isEmpty() && supported.contains("," + candidate + ",")) {
                        values.put(key, candidate);
                        return candidate;
                    }
                }
                return "Reject";
            }
            default -> {
                if (!def.valid(value)) {
                    return "Reject";
                }
                String mine = ours.getOrDefault(key, def.defaultValue());
                String result = switch (def.type()) {
                    case BOOLEAN_AND -> "Yes".equals(value) && "Yes".equals(mine) ? "Yes" : "No";
                    case BOOLEAN_OR -> "Yes".equals(value) || "Yes".equals(mine) ? "Yes" : "No";
                    case NUMERIC_MIN -> Long.toString(Math.min(KeyDefinition.parseNumber(value),
                            KeyDefinition.parseNumber(mine)));
                    case NUMERIC_MAX -> Long.toString(Math.max(KeyDefinition.parseNumber(value),
                            KeyDefinition.parseNumber(mine)));
                    default -> throw new IllegalStateException("unhandled key type " + def.type());
                };
                values.put(key, result);
                return result;
            }
        }
    }

    /** The parameters in force after this login. */
    public SessionParameters result() {
        return SessionParameters.from(table, values, ourMaxRecv);
    }
}
