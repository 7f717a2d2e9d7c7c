package dev.stowage.iscsi.login;

/** How a text key's value is negotiated (RFC 7143 section 6.2). */
public enum KeyType {
    /** Yes/No; the result is offered AND ours. */
    BOOLEAN_AND,
    /** Yes/No; the result is offered OR ours. */
    BOOLEAN_OR,
    /** Number in [min, max]; the result is the smaller of offered and ours. */
    NUMERIC_MIN,
    /** Number in [min, max]; the result is the larger of offered and ours. */
    NUMERIC_MAX,
    /** Number in [min, max] that each side declares for itself; not answered. */
    NUMERIC_DECLARATIVE,
    /** Comma-separated list in order of preference; we answer the first value we support. */
    LIST,
    /** Free text the initiator declares (names, aliases, session type); not answered. */
    STRING_DECLARATIVE,
    /** Declared only by the target; an initiator sending it is answered Reject. */
    TARGET_DECLARATIVE,
    /** Obsolete keys that only matter with features we turn off; answered Irrelevant. */
    IRRELEVANT,
    /** Keys handled by the authentication exchange (AuthMethod, CHAP_*). */
    SECURITY
}
