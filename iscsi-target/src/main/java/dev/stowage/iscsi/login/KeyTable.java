package dev.stowage.iscsi.login;

import dev.stowage.iscsi.login.KeyDefinition.Scope;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The table of text keys the target understands (RFC 7143 section 13). Negotiation is driven by
 * this table, not by code per key: adding a key is one line here. Immutable and thread-safe.
 */
public final class KeyTable {
    private static final long MAX_24 = 0xffffff;

    /** The standard keys. */
    public static final KeyTable STANDARD = new KeyTable(
            key("HeaderDigest", KeyType.LIST, "None", Scope.CONNECTION, false),
            key("DataDigest", KeyType.LIST, "None", Scope.CONNECTION, false),
            num("MaxConnections", KeyType.NUMERIC_MIN, 1, 1, 65535, true),
            key("SendTargets", KeyType.STRING_DECLARATIVE, "", Scope.LOGIN, false),
            key("TargetName", KeyType.STRING_DECLARATIVE, "", Scope.LOGIN, false),
            key("InitiatorName", KeyType.STRING_DECLARATIVE, "", Scope.LOGIN, false),
            key("TargetAlias", KeyType.TARGET_DECLARATIVE, "", Scope.LOGIN, false),
            key("InitiatorAlias", KeyType.STRING_DECLARATIVE, "", Scope.LOGIN, false),
            key("TargetAddress", KeyType.TARGET_DECLARATIVE, "", Scope.LOGIN, false),
            key("TargetPortalGroupTag", KeyType.TARGET_DECLARATIVE, "", Scope.LOGIN, false),
            key("InitialR2T", KeyType.BOOLEAN_OR, "Yes", Scope.SESSION, true),
            key("ImmediateData", KeyType.BOOLEAN_AND, "Yes", Scope.SESSION, true),
            new KeyDefinition("MaxRecvDataSegmentLength", KeyType.NUMERIC_DECLARATIVE, "8192", 512, MAX_24,
                    Scope.CONNECTION, false),
            num("MaxBurstLength", KeyType.NUMERIC_MIN, 262144, 512, MAX_24, true),
            num("FirstBurstLength", KeyType.NUMERIC_MIN, 65536, 512, MAX_24, true),
            num("DefaultTime2Wait", KeyType.NUMERIC_MAX, 2, 0, 3600, false),
            num("DefaultTime2Retain", KeyType.NUMERIC_MIN, 20, 0, 3600, false),
            num("MaxOutstandingR2T", KeyType.NUMERIC_MIN, 1, 1, 65535, true),
            key("DataPDUInOrder", KeyType.BOOLEAN_OR, "Yes", Scope.SESSION, true),
            key("DataSequenceInOrder", KeyType.BOOLEAN_OR, "Yes", Scope.SESSION, true),
            num("ErrorRecoveryLevel", KeyType.NUMERIC_MIN, 0, 0, 2, false),
            key("SessionType", KeyType.STRING_DECLARATIVE, "Normal", Scope.SESSION, false),
            key("AuthMethod", KeyType.SECURITY, "None", Scope.LOGIN, false),
            key("CHAP_A", KeyType.SECURITY, "", Scope.LOGIN, false),
            key("CHAP_I", KeyType.SECURITY, "", Scope.LOGIN, false),
            key("CHAP_C", KeyType.SECURITY, "", Scope.LOGIN, false),
            key("CHAP_N", KeyType.SECURITY, "", Scope.LOGIN, false),
            key("CHAP_R", KeyType.SECURITY, "", Scope.LOGIN, false),
            // RFC 3720 markers, obsoleted by RFC 7143: we never use them.
            key("IFMarker", KeyType.BOOLEAN_AND, "No", Scope.CONNECTION, false),
            key("OFMarker", KeyType.BOOLEAN_AND, "No", Scope.CONNECTION, false),
            key("IFMarkInt", KeyType.IRRELEVANT, "", Scope.CONNECTION, false),
            key("OFMarkInt", KeyType.IRRELEVANT, "", Scope.CONNECTION, false));

    private final Map<String, KeyDefinition> keys = new LinkedHashMap<>();

    public KeyTable(KeyDefinition... definitions) {
        for (KeyDefinition d : definitions) {
            keys.put(d.name(), d);
        }
    }

    /** The definition of {@code name}, or null when the key is not understood. */
    public KeyDefinition get(String name) {
        return keys.get(name);
    }

    /** Every definition, in table order. */
    public Iterable<KeyDefinition> all() {
        return keys.values();
    }

    private static KeyDefinition key(String name, KeyType type, String def, Scope scope, boolean normalOnly) {
        return new KeyDefinition(name, type, def, 0, 0, scope, normalOnly);
    }

    private static KeyDefinition num(String name, KeyType type, long def, long min, long max, boolean normalOnly) {
        return new KeyDefinition(name, type, Long.toString(def), min, max, Scope.SESSION, normalOnly);
    }
}
