package dev.stowage.iscsi.login;

/**
 * One row of the negotiation table.
 *
 * @param name          key name as on the wire
 * @param type          negotiation rule
 * @param defaultValue  value in force when nobody negotiates the key (RFC 7143 section 13)
 * @param min           smallest legal value for numeric keys
 * @param max           largest legal value for numeric keys
 * @param scope         who the value belongs to
 * @param normalOnly    true for keys that are Irrelevant in a discovery session
 */
public record KeyDefinition(String name, KeyType type, String defaultValue, long min, long max, Scope scope,
                            boolean normalOnly) {

    /** Where a negotiated value applies. */
    public enum Scope {
        /** Per connection (digests, MaxRecvDataSegmentLength). */
        CONNECTION,
        /** Per session, negotiated on the leading connection only. */
        SESSION,
        /** Exchanged during login only (names, authentication). */
        LOGIN
    }

    /** True when {@code value} is a legal value of this key (numeric range, Yes/No, non-empty). */
    public boolean valid(String value) {
        return switch (type) {
            case BOOLEAN_AND, BOOLEAN_OR -> "Yes".equals(value) || "No".equals(value);
            case NUMERIC_MIN, NUMERIC_MAX, NUMERIC_DECLARATIVE -> {
                long n = parseNumber(value);
                yield n >= min && n <= max;
            }
            default -> !value.isEmpty();
        };
    }

    /** Parses a decimal or 0x-prefixed hexadecimal number; -1 when it is not one. */
    public static long parseNumber(String value) {
        try {
            if (value.startsWith("0x") || value.startsWith("0X")) {
                return value.length() > 2 && value.length() <= 18 ? Long.parseLong(value.substring(2), 16) : -1;
            }
            return value.isEmpty() || value.length() > 19 ? -1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
