package dev.stowage.iscsi.login;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The target's side of every negotiation: what it offers or accepts at most.
 *
 * @param maxRecvDataSegmentLength largest data segment we accept (declared to the initiator)
 * @param maxBurstLength           largest solicited burst we accept
 * @param firstBurstLength         largest unsolicited data (immediate plus unsolicited Data-Out)
 * @param initialR2T               true to forbid unsolicited Data-Out PDUs
 * @param immediateData            true to accept data in the command PDU
 * @param maxOutstandingR2T        R2Ts we issue per task at once, at most
 * @param digests                  digests we support in order of preference, e.g. "CRC32C,None"
 * @param defaultTime2Wait         seconds
 * @param defaultTime2Retain       seconds (0: tasks are not kept for connection recovery)
 */
public record TargetLimits(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength, boolean initialR2T,
                           boolean immediateData, int maxOutstandingR2T, String digests, int defaultTime2Wait,
                           int defaultTime2Retain) {

    public TargetLimits {
        if (maxRecvDataSegmentLength < 512 || maxRecvDataSegmentLength > 0xffffff) {
            throw new IllegalArgumentException("MaxRecvDataSegmentLength must be 512..16777215");
        }
        if (firstBurstLength > maxBurstLength) {
            throw new IllegalArgumentException("FirstBurstLength must not exceed MaxBurstLength");
        }
    }

    /** Sensible defaults: 256 KiB segments and bursts of 1 MiB, unsolicited data allowed. */
    public static TargetLimits defaults() {
        return new TargetLimits(262144, 1048576, 65536, false, true, 16, "CRC32C,None", 2, 0);
    }

    /** Our value per key, as the negotiation table reads it. */
    Map<String, String> asKeyValues() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("HeaderDigest", digests);
        m.put("DataDigest", digests);
        m.put("MaxConnections", "1");
        m.put("InitialR2T", initialR2T ? "Yes" : "No");
        m.put("ImmediateData", immediateData ? "Yes" : "No");
        m.put("MaxRecvDataSegmentLength", Integer.toString(maxRecvDataSegmentLength));
        m.put("MaxBurstLength", Integer.toString(maxBurstLength));
        m.put("FirstBurstLength", Integer.toString(firstBurstLength));
        m.put("DefaultTime2Wait", Integer.toString(defaultTime2Wait));
        m.put("DefaultTime2Retain", Integer.toString(defaultTime2Retain));
        m.put("MaxOutstandingR2T", Integer.toString(maxOutstandingR2T));
        m.put("DataPDUInOrder", "Yes");
        m.put("DataSequenceInOrder", "Yes");
        m.put("ErrorRecoveryLevel", "0");
        m.put("IFMarker", "No");
        m.put("OFMarker", "No");
        return m;
    }
}
