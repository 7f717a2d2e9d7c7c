package dev.stowage.iscsi.session;

/** 32-bit serial number arithmetic (RFC 1982) for CmdSN, StatSN and DataSN. Stateless. */
final class SerialNumbers {
    private SerialNumbers() {
    }

    /** a &lt; b in serial arithmetic. */
    static boolean lessThan(int a, int b) {
        return a != b && (a - b) < 0;
    }

    /** Comparator in serial arithmetic (valid for values less than 2^31 apart). */
    static int compare(Integer a, Integer b) {
        return Integer.compare(a - b, 0);
    }

    /** a &lt;= b in serial arithmetic. */
    static boolean atMost(int a, int b) {
        return a == b || (a - b) < 0;
    }
}
