package dev.stowage.iscsi.login;

import java.util.Map;

/**
 * The outcome of a login negotiation: every operational value in force for the new connection
 * and its session, with RFC defaults for keys nobody negotiated. Immutable.
 *
 * @param initiatorMaxRecvDataSegmentLength largest data segment we may send
 * @param targetMaxRecvDataSegmentLength    largest data segment we accept (our declaration)
 */
public record SessionParameters(boolean headerDigest, boolean dataDigest, int initiatorMaxRecvDataSegmentLength,
                                int targetMaxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                                boolean initialR2T, boolean immediateData, int maxOutstandingR2T,
                                boolean dataPduInOrder, boolean dataSequenceInOrder, int errorRecoveryLevel,
                                int maxConnections, int defaultTime2Wait, int defaultTime2Retain, boolean discovery,
                                String initiatorName, String initiatorAlias, String targetName) {

    /** Builds the parameters from negotiated values, falling back to the table's defaults. */
    static SessionParameters from(KeyTable table, Map<String, String> values, int ourMaxRecv) {
        java.util.function.Function<String, String> v = k -> {
            String s = values.get(k);
            return s != null ? s : table.get(k).defaultValue();
        };
        java.util.function.ToIntFunction<String> n = k -> (int) KeyDefinition.parseNumber(v.apply(k));
        int maxBurst = n.applyAsInt("MaxBurstLength");
        return new SessionParameters("CRC32C".equals(v.apply("HeaderDigest")), "CRC32C".equals(v.apply("DataDigest")),
                n.applyAsInt("MaxRecvDataSegmentLength"), ourMaxRecv, maxBurst,
                Math.min(n.applyAsInt("FirstBurstLength"), maxBurst), "Yes".equals(v.apply("InitialR2T")),
                "Yes".equals(v.apply("ImmediateData")), n.applyAsInt("MaxOutstandingR2T"),
                "Yes".equals(v.apply("DataPDUInOrder")), "Yes".equals(v.apply("DataSequenceInOrder")),
                n.applyAsInt("ErrorRecoveryLevel"), n.applyAsInt("MaxConnections"), n.applyAsInt("DefaultTime2Wait"),
                n.applyAsInt("DefaultTime2Retain"), "Discovery".equals(v.apply("SessionType")),
                v.apply("InitiatorName"), values.get("InitiatorAlias"), values.get("TargetName"));
    }
}
