package dev.stowage.iscsi.login;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NegotiatorTest {
    private static final TargetLimits LIMITS = new TargetLimits(65536, 262144, 65536, false, true, 4, "CRC32C,None",
            2, 0);

    private static Map<String, String> answer(Negotiator n, boolean discovery, String... pairs) throws Exception {
        List<Map.Entry<String, String>> offers = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            offers.add(Map.entry(pairs[i], pairs[i + 1]));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : n.respond(offers, discovery)) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    @Test
    void numericKeysTakeTheMinimumOrMaximum() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        Map<String, String> a = answer(n, false, "MaxBurstLength", "1048576", "FirstBurstLength", "4096",
                "MaxOutstandingR2T", "8", "DefaultTime2Wait", "0", "DefaultTime2Retain", "60", "ErrorRecoveryLevel", "2",
                "MaxConnections", "8");
        assertThat(a).containsEntry("MaxBurstLength", "262144").containsEntry("FirstBurstLength", "4096")
                .containsEntry("MaxOutstandingR2T", "4").containsEntry("DefaultTime2Wait", "2")
                .containsEntry("DefaultTime2Retain", "0").containsEntry("ErrorRecoveryLevel", "0")
                .containsEntry("MaxConnections", "1");
        SessionParameters p = n.result();
        assertThat(p.maxBurstLength()).isEqualTo(262144);
        assertThat(p.firstBurstLength()).isEqualTo(4096);
        assertThat(p.errorRecoveryLevel()).isZero();
    }

    @Test
    void booleanKeysFollowAndOrRules() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        Map<String, String> a = answer(n, false, "InitialR2T", "No", "ImmediateData", "No", "DataPDUInOrder", "No",
                "DataSequenceInOrder", "No", "IFMarker", "Yes");
        assertThat(a).containsEntry("InitialR2T", "No")         // OR with our No
                .containsEntry("ImmediateData", "No")           // AND
                .containsEntry("DataPDUInOrder", "Yes")         // OR with our Yes
                .containsEntry("DataSequenceInOrder", "Yes")
                .containsEntry("IFMarker", "No");
        assertThat(n.result().immediateData()).isFalse();
        assertThat(n.result().initialR2T()).isFalse();
    }

    @Test
    void defaultsApplyToKeysNobodyOffered() {
        SessionParameters p = new Negotiator(KeyTable.STANDARD, LIMITS).result();
        assertThat(p.initialR2T()).isTrue();
        assertThat(p.immediateData()).isTrue();
        assertThat(p.maxBurstLength()).isEqualTo(262144);
        assertThat(p.firstBurstLength()).isEqualTo(65536);
        assertThat(p.initiatorMaxRecvDataSegmentLength()).isEqualTo(8192);
        assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(65536);
        assertThat(p.maxOutstandingR2T()).isEqualTo(1);
        assertThat(p.headerDigest()).isFalse();
    }

    @Test
    void listKeysPickTheInitiatorsFirstSupportedValue() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        assertThat(answer(n, false, "HeaderDigest", "None,CRC32C", "DataDigest", "CRC32C,None"))
                .containsEntry("HeaderDigest", "None").containsEntry("DataDigest", "CRC32C");
        assertThat(n.result().dataDigest()).isTrue();
        Negotiator m = new Negotiator(KeyTable.STANDARD, LIMITS);
        assertThat(answer(m, false, "HeaderDigest", "MD5,SHA1")).containsEntry("HeaderDigest", "Reject");
        assertThat(m.result().headerDigest()).isFalse();
    }

    @Test
    void illegalValuesAreRejectedAndLeaveTheDefault() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        Map<String, String> a = answer(n, false, "MaxBurstLength", "100", "FirstBurstLength", "99999999999",
                "InitialR2T", "Maybe", "MaxRecvDataSegmentLength", "16777216", "MaxOutstandingR2T", "0x0");
        assertThat(a).containsEntry("MaxBurstLength", "Reject").containsEntry("FirstBurstLength", "Reject")
                .containsEntry("InitialR2T", "Reject").containsEntry("MaxRecvDataSegmentLength", "Reject")
                .containsEntry("MaxOutstandingR2T", "Reject");
        assertThat(n.result().maxBurstLength()).isEqualTo(262144);
        assertThat(n.result().initiatorMaxRecvDataSegmentLength()).isEqualTo(8192);
    }

    @Test
    void hexNumbersAreAccepted() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        assertThat(answer(n, false, "MaxRecvDataSegmentLength", "0x10000")).isEmpty();   // declarative: no answer
        assertThat(n.result().initiatorMaxRecvDataSegmentLength()).isEqualTo(65536);
    }

    @Test
    void unknownKeysAreNotUnderstood() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        assertThat(answer(n, false, "X-com.example.Foo", "1", "iSCSIProtocolLevel", "1"))
                .containsEntry("X-com.example.Foo", "NotUnderstood").containsEntry("iSCSIProtocolLevel", "NotUnderstood");
    }

    @Test
    void aKeyOfferedTwiceFailsTheLogin() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        answer(n, false, "MaxBurstLength", "65536");
        assertThatThrownBy(() -> answer(n, false, "MaxBurstLength", "65536"))
                .isInstanceOf(Negotiator.NegotiationException.class).hasMessageContaining("MaxBurstLength");
    }

    @Test
    void normalSessionKeysAreIrrelevantInDiscovery() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        assertThat(answer(n, true, "MaxBurstLength", "65536", "InitialR2T", "No", "HeaderDigest", "None"))
                .containsEntry("MaxBurstLength", "Irrelevant").containsEntry("InitialR2T", "Irrelevant")
                .containsEntry("HeaderDigest", "None");
    }

    @Test
    void targetDeclarationsFromTheInitiatorAreRejected() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, LIMITS);
        assertThat(answer(n, false, "TargetPortalGroupTag", "1", "InitiatorName", "iqn.x"))
                .containsOnlyKeys("TargetPortalGroupTag").containsEntry("TargetPortalGroupTag", "Reject");
        assertThat(n.value("InitiatorName")).isEqualTo("iqn.x");
    }

    @Test
    void firstBurstNeverExceedsMaxBurst() throws Exception {
        Negotiator n = new Negotiator(KeyTable.STANDARD, new TargetLimits(65536, 262144, 262144, false, true, 1,
                "None", 2, 0));
        answer(n, false, "MaxBurstLength", "16384", "FirstBurstLength", "65536");
        assertThat(n.result().firstBurstLength()).isEqualTo(16384);
    }
}
