package dev.stowage.iscsi.server;

import dev.stowage.iscsi.login.ChapCredentials;
import dev.stowage.iscsi.login.TargetLimits;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.DataOut;
import dev.stowage.iscsi.pdu.LoginResponse;
import dev.stowage.iscsi.pdu.NopIn;
import dev.stowage.iscsi.pdu.NopOut;
import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.Reject;
import dev.stowage.iscsi.pdu.ScsiCommandPdu;
import dev.stowage.iscsi.pdu.ScsiResponsePdu;
import dev.stowage.iscsi.pdu.TaskMgmtRequest;
import dev.stowage.iscsi.pdu.TaskMgmtResponse;
import dev.stowage.iscsi.pdu.TextRequest;
import dev.stowage.iscsi.pdu.TextResponse;
import dev.stowage.iscsi.pdu.UnknownPdu;
import dev.stowage.iscsi.testing.FakeScsiTarget;
import dev.stowage.iscsi.testing.TestInitiator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class IscsiServerTest {
    static final String DISK = "iqn.2026-11.dev.stowage:disk";
    static final String LOCKED = "iqn.2026-11.dev.stowage:locked";
    static final String MUTUAL = "iqn.2026-11.dev.stowage:mutual";

    private FakeScsiTarget scsi;
    private IscsiServer server;
    private long isid = 0x400000000001L;

    @BeforeEach
    void start() throws IOException {
        scsi = new FakeScsiTarget(2048);
        // Small segments and bursts so that R2T sequences and Data-In splitting are exercised.
        TargetLimits limits = new TargetLimits(4096, 8192, 4096, false, true, 2, "CRC32C,None", 2, 0);
        server = new IscsiServer(IscsiServerConfig.at(new InetSocketAddress("127.0.0.1", 0)).withLimits(limits));
        server.addTarget(TargetConfig.open(DISK, scsi));
        server.addTarget(new TargetConfig(LOCKED, null, scsi, ChapCredentials.oneWay("alice", "alice-secret-1"),
                Set.of()));
        server.addTarget(new TargetConfig(MUTUAL, null, scsi,
                ChapCredentials.mutual("alice", "alice-secret-1", "target", "target-secret-1"), Set.of()));
        server.start();
    }

    @AfterEach
    void stop() {
        scsi.release();
        server.stop();
    }

    private TestInitiator connect() throws IOException {
        return new TestInitiator(server.address(), isid++);
    }

    private TestInitiator loggedIn(Map<String, String> keys) throws IOException {
        TestInitiator i = connect();
        LoginResponse r = i.login(DISK, keys);
        assertThat(r.statusClass()).as("login status").isZero();
        return i;
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void writesThroughR2tsAndReadsBackSplitIntoDataIn() throws Exception {
        try (TestInitiator i = loggedIn(Map.of("MaxRecvDataSegmentLength", "1024", "MaxBurstLength", "16384",
                "ImmediateData", "Yes", "InitialR2T", "Yes"))) {
            assertThat(i.negotiated()).containsEntry("MaxBurstLength", "8192");
            byte[] data = pattern(64 * 512, 1);
            TestInitiator.Result w = i.command(0, FakeScsiTarget.rw10(0x2a, 10, 64), data, data.length, false, 1024);
            assertThat(w.status()).isZero();
            assertThat(w.r2ts()).as("R2Ts for 31 KiB in 8 KiB bursts").isEqualTo(4);
            TestInitiator.Result r = i.command(0, FakeScsiTarget.rw10(0x28, 10, 64), null, data.length, true, 0);
            assertThat(r.status()).isZero();
            assertThat(r.data()).isEqualTo(data);
            assertThat(r.dataInPdus()).as("Data-In PDUs of at most 1 KiB").isEqualTo(32);
            assertThat(r.sense()).isNull();
        }
    }

    @Test
    void unsolicitedDataUpToFirstBurstNeedsNoR2t() throws Exception {
        try (TestInitiator i = loggedIn(Map.of("InitialR2T", "No", "ImmediateData", "Yes",
                "FirstBurstLength", "4096"))) {
            byte[] data = pattern(8192, 2);
            int tag = i.nextItt();
            i.send(new ScsiCommandPdu(false, false, false, true, 1, 0, tag, 8192, i.cmdSn(), i.expStatSn(),
                    FakeScsiTarget.rw10(0x2a, 0, 16), ByteBuffer.wrap(data, 0, 1024)));
            i.advanceCmdSn();
            i.send(new DataOut(true, 0, tag, Bhs.RESERVED_TAG, i.expStatSn(), 0, 1024,
                    ByteBuffer.wrap(data, 1024, 3072)));
            TestInitiator.Result w = i.await(tag, data);
            assertThat(w.status()).isZero();
            assertThat(w.r2ts()).as("one R2T for the 4 KiB after the first burst").isEqualTo(1);
            assertThat(i.command(0, FakeScsiTarget.rw10(0x28, 0, 16), null, 8192, true, 0).data()).isEqualTo(data);
        }
    }

    @Test
    void readResidualsAreReported() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            TestInitiator.Result under = i.command(0, FakeScsiTarget.rw10(0x28, 0, 1), null, 1024, true, 0);
            assertThat(under.residualFlags()).isEqualTo(ScsiResponsePdu.UNDERFLOW);
            assertThat(under.residual()).isEqualTo(512);
            TestInitiator.Result over = i.command(0, FakeScsiTarget.rw10(0x28, 0, 2), null, 512, true, 0);
            assertThat(over.residualFlags()).isEqualTo(ScsiResponsePdu.OVERFLOW);
            assertThat(over.residual()).isEqualTo(512);
            assertThat(over.data()).hasSize(512);
        }
    }

    @Test
    void checkConditionCarriesSenseInAScsiResponse() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) 0xee;
            TestInitiator.Result r = i.command(0, cdb, null, 0, false, 0);
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.sense()).hasSize(18);
            assertThat(r.sense()[2]).isEqualTo((byte) 0x05);
            assertThat(r.sense()[12]).isEqualTo((byte) 0x20);
        }
    }

    @Test
    void pingIsAnsweredWithItsData() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            byte[] ping = "are you there?".getBytes(StandardCharsets.US_ASCII);
            i.send(new NopOut(true, 0, 77, Bhs.RESERVED_TAG, i.cmdSn(), i.expStatSn(), ByteBuffer.wrap(ping)));
            NopIn pong = (NopIn) i.receive();
            assertThat(pong.initiatorTaskTag()).isEqualTo(77);
            byte[] echo = new byte[pong.data().remaining()];
            pong.data().get(echo);
            assertThat(echo).isEqualTo(ping);
        }
    }

    @Test
    void discoveryListsTargets() throws Exception {
        try (TestInitiator i = connect()) {
            assertThat(i.login(null, Map.of()).statusClass()).isZero();
            i.send(new TextRequest(true, true, false, 0, 5, Bhs.RESERVED_TAG, i.cmdSn(), i.expStatSn(),
                    ByteBuffer.wrap("SendTargets=All\0".getBytes(StandardCharsets.US_ASCII))));
            TextResponse r = (TextResponse) i.receive();
            String text = StandardCharsets.UTF_8.decode(r.data()).toString();
            String portal = "127.0.0.1:" + server.port() + ",1";
            assertThat(text).contains("TargetName=" + DISK + "\0TargetAddress=" + portal)
                    .contains("TargetName=" + LOCKED).contains("TargetName=" + MUTUAL);
            assertThat(r.finalFlag()).isTrue();
            i.send(new TextRequest(true, true, false, 0, 6, Bhs.RESERVED_TAG, i.cmdSn(), r.statSn() + 1,
                    ByteBuffer.wrap(("SendTargets=" + LOCKED + "\0X-vendor.Key=1\0").getBytes(StandardCharsets.US_ASCII))));
            String one = StandardCharsets.UTF_8.decode(((TextResponse) i.receive()).data()).toString();
            assertThat(one).isEqualTo("TargetName=" + LOCKED + "\0TargetAddress=" + portal + "\0X-vendor.Key=NotUnderstood\0");
            assertThat(i.logout().response()).isZero();
        }
    }

    @Test
    void longTextResponsesContinueAcrossPdus() throws Exception {
        for (int n = 0; n < 60; n++) {
            server.addTarget(TargetConfig.open("iqn.2026-11.dev.stowage:extra-volume-number-" + n, scsi));
        }
        try (TestInitiator i = connect()) {
            assertThat(i.login(null, Map.of("MaxRecvDataSegmentLength", "512")).statusClass()).isZero();
            i.send(new TextRequest(true, true, false, 0, 5, Bhs.RESERVED_TAG, i.cmdSn(), i.expStatSn(),
                    ByteBuffer.wrap("SendTargets=All\0".getBytes(StandardCharsets.US_ASCII))));
            StringBuilder all = new StringBuilder();
            int pieces = 0;
            while (true) {
                TextResponse r = (TextResponse) i.receive();
                pieces++;
                assertThat(r.data().remaining()).isLessThanOrEqualTo(512);
                all.append(StandardCharsets.UTF_8.decode(r.data()));
                if (r.finalFlag()) {
                    break;
                }
                assertThat(r.cont()).isTrue();
                i.send(new TextRequest(true, true, false, 0, 5, r.targetTransferTag(), i.cmdSn(), r.statSn() + 1, null));
            }
            assertThat(pieces).isGreaterThan(5);
            assertThat(all.toString()).contains("extra-volume-number-59");
        }
    }

    @Test
    void oneWayChapLogsInWithTheRightSecretOnly() throws Exception {
        try (TestInitiator i = connect()) {
            LoginResponse r = i.loginChap(LOCKED, "alice", "alice-secret-1", null, null);
            assertThat(r.statusClass()).isZero();
            assertThat(i.command(0, new byte[16], null, 0, false, 0).status()).isZero();
        }
        try (TestInitiator i = connect()) {
            LoginResponse r = i.loginChap(LOCKED, "alice", "not-the-secret", null, null);
            assertThat(r.statusClass() << 8 | r.statusDetail()).isEqualTo(0x0201);
            assertThat(i.closedByTarget()).isTrue();
        }
        try (TestInitiator i = connect()) {
            LoginResponse r = i.login(LOCKED, Map.of());
            assertThat(r.statusClass() << 8 | r.statusDetail()).isEqualTo(0x0201);
        }
    }

    @Test
    void mutualChapAuthenticatesTheTargetToo() throws Exception {
        try (TestInitiator i = connect()) {
            assertThat(i.loginChap(MUTUAL, "alice", "alice-secret-1", "target-secret-1", null).statusClass()).isZero();
        }
        try (TestInitiator i = connect()) {
            // The target would have to prove itself on its own challenge: refused.
            i.loginStep(false, 0, 1, List.of(Map.entry("InitiatorName", TestInitiator.INITIATOR),
                    Map.entry("TargetName", MUTUAL), Map.entry("AuthMethod", "CHAP")));
            Map<String, String> c = TestInitiator.keys(i.loginStep(false, 0, 1, List.of(Map.entry("CHAP_A", "5"))));
            byte[] theirs = java.util.HexFormat.of().parseHex(c.get("CHAP_C").substring(2));
            LoginResponse r = i.loginChap(MUTUAL, "alice", "alice-secret-1", "target-secret-1", theirs);
            assertThat(r.statusClass()).isEqualTo(2);
        }
    }

    @Test
    void digestsProtectEveryPduAfterLogin() throws Exception {
        try (TestInitiator i = loggedIn(Map.of("HeaderDigest", "CRC32C", "DataDigest", "CRC32C"))) {
            assertThat(i.negotiated()).containsEntry("HeaderDigest", "CRC32C").containsEntry("DataDigest", "CRC32C");
            i.useDigests(true, true);
            byte[] data = pattern(4096, 3);
            assertThat(i.command(0, FakeScsiTarget.rw10(0x2a, 5, 8), data, 4096, false, 0).status()).isZero();
            assertThat(i.command(0, FakeScsiTarget.rw10(0x28, 5, 8), null, 4096, true, 0).data()).isEqualTo(data);
        }
    }

    @Test
    void abortedTaskGetsNoResponse() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            byte[] cdb = new byte[16];
            cdb[0] = (byte) FakeScsiTarget.BLOCKING_OPCODE;
            int tag = i.nextItt();
            i.send(new ScsiCommandPdu(false, true, false, false, 1, 0, tag, 0, i.cmdSn(), i.expStatSn(), cdb, null));
            i.advanceCmdSn();
            assertThat(scsi.awaitBlocked()).isTrue();
            i.send(new TaskMgmtRequest(true, TaskMgmtRequest.ABORT_TASK, 0, 900, tag, i.cmdSn(), i.expStatSn(),
                    i.cmdSn() - 1, 0));
            // The fake lets the blocked command finish when it is aborted; the TMF response comes after that.
            TaskMgmtResponse tmf = (TaskMgmtResponse) i.receive();
            assertThat(tmf.response()).isEqualTo(TaskMgmtResponse.FUNCTION_COMPLETE);
            assertThat(scsi.aborts.get()).isEqualTo(1);
            assertThat(scsi.executed.get()).isEqualTo(1);
            // The next thing on the wire is the answer to this ping, not the aborted task's status.
            i.send(new NopOut(true, 0, 901, Bhs.RESERVED_TAG, i.cmdSn(), i.expStatSn(), null));
            Pdu next = i.receive();
            assertThat(next).isInstanceOf(NopIn.class);
            assertThat(next.initiatorTaskTag()).isEqualTo(901);
        }
    }

    @Test
    void unsupportedTaskManagementIsSaidSo() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            i.send(new TaskMgmtRequest(true, TaskMgmtRequest.CLEAR_ACA, 0, 5, 0, i.cmdSn(), i.expStatSn(), 0, 0));
            assertThat(((TaskMgmtResponse) i.receive()).response()).isEqualTo(TaskMgmtResponse.FUNCTION_NOT_SUPPORTED);
            i.send(new TaskMgmtRequest(true, TaskMgmtRequest.LOGICAL_UNIT_RESET, Bhs.encodeLun(9), 6, 0, i.cmdSn(),
                    i.expStatSn(), 0, 0));
            assertThat(((TaskMgmtResponse) i.receive()).response()).isEqualTo(TaskMgmtResponse.LUN_DOES_NOT_EXIST);
            i.send(new TaskMgmtRequest(true, TaskMgmtRequest.LOGICAL_UNIT_RESET, 0, 7, 0, i.cmdSn(), i.expStatSn(), 0, 0));
            assertThat(((TaskMgmtResponse) i.receive()).response()).isEqualTo(TaskMgmtResponse.FUNCTION_COMPLETE);
            assertThat(scsi.resets.get()).isEqualTo(1);
        }
    }

    @Test
    void badOpcodeIsRejectedAndTheSessionGoesOn() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            ByteBuffer header = ByteBuffer.allocate(48);
            header.put(0, (byte) 0x1d).putInt(16, 42);
            i.send(new UnknownPdu(0x1d, header, null));
            Reject reject = (Reject) i.receive();
            assertThat(reject.reason()).isEqualTo(Reject.COMMAND_NOT_SUPPORTED);
            assertThat(reject.data().remaining()).isEqualTo(48);
            assertThat(reject.data().get(reject.data().position()) & 0x3f).isEqualTo(0x1d);
            assertThat(i.command(0, new byte[16], null, 0, false, 0).status()).isZero();
        }
    }

    @Test
    void commandsOutsideTheWindowAreIgnored() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            int tag = i.nextItt();
            i.send(new ScsiCommandPdu(false, true, false, false, 1, 0, tag, 0, i.cmdSn() + 1000, i.expStatSn(),
                    new byte[16], null));
            TestInitiator.Result r = i.command(0, new byte[16], null, 0, false, 0);
            assertThat(r.status()).isZero();
            assertThat(scsi.executed.get()).as("only the in-window command ran").isEqualTo(1);
        }
    }

    @Test
    void pipelinedCommandsWithinMaxCmdSnAllComplete() throws Exception {
        try (TestInitiator i = loggedIn(Map.of())) {
            int total = 600;
            int sent = 0;
            int done = 0;
            int maxCmdSn = i.cmdSn() + 127;     // the login's window
            java.util.Set<Integer> open = new java.util.HashSet<>();
            while (done < total) {
                while (sent < total && (maxCmdSn - i.cmdSn()) >= 0) {
                    int tag = i.nextItt();
                    open.add(tag);
                    i.send(new ScsiCommandPdu(false, true, true, false, 1, 0, tag, 4096, i.cmdSn(), i.expStatSn(),
                            FakeScsiTarget.rw10(0x28, (sent * 8L) % 2040, 8), null));
                    i.advanceCmdSn();
                    sent++;
                }
                Pdu p = i.receive();
                if (p instanceof dev.stowage.iscsi.pdu.DataIn d) {
                    if (d.maxCmdSn() - maxCmdSn > 0) {
                        maxCmdSn = d.maxCmdSn();
                    }
                    if (d.statusPresent()) {
                        assertThat(open.remove(d.initiatorTaskTag())).isTrue();
                        done++;
                    }
                } else {
                    throw new AssertionError("unexpected " + p);
                }
            }
            assertThat(open).isEmpty();
            assertThat(scsi.executed.get()).isEqualTo(total);
        }
    }

    @Test
    void manySessionsWorkAtOnce() throws Exception {
        int sessions = 8;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Boolean>> results = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int n = s;
            results.add(pool.submit((Callable<Boolean>) () -> {
                try (TestInitiator i = loggedIn(Map.of())) {
                    for (int round = 0; round < 10; round++) {
                        byte[] data = pattern(16 * 512, n * 100 + round);
                        long lba = n * 64L;
                        if (i.command(0, FakeScsiTarget.rw10(0x2a, lba, 16), data, data.length, false, 4096).status() != 0) {
                            return false;
                        }
                        byte[] back = i.command(0, FakeScsiTarget.rw10(0x28, lba, 16), null, data.length, true, 0).data();
                        if (!java.util.Arrays.equals(back, data)) {
                            return false;
                        }
                    }
                    return i.logout().response() == 0;
                }
            }));
        }
        for (Future<Boolean> f : results) {
            assertThat(f.get()).isTrue();
        }
        pool.shutdown();
        // Sessions end on the connection's own thread once the logout response is out; give it a moment.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while ((!server.sessions().isEmpty() || !scsi.nexuses.isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.sessions()).isEmpty();
        assertThat(scsi.nexuses).isEmpty();
    }

    @Test
    void reloginWithTheSameIsidReplacesTheOldSession() throws Exception {
        TestInitiator first = new TestInitiator(server.address(), 0x777);
        assertThat(first.login(DISK, Map.of()).statusClass()).isZero();
        try (TestInitiator second = new TestInitiator(server.address(), 0x777)) {
            assertThat(second.login(DISK, Map.of()).statusClass()).isZero();
            assertThat(first.closedByTarget()).isTrue();
            assertThat(second.command(0, new byte[16], null, 0, false, 0).status()).isZero();
            assertThat(server.sessions()).hasSize(1);
        }
        first.close();
    }

    @Test
    void stopClosesEveryConnection() throws Exception {
        TestInitiator a = loggedIn(Map.of());
        TestInitiator b = loggedIn(Map.of());
        assertThat(server.sessions()).hasSize(2);
        server.stop();
        assertThat(a.closedByTarget()).isTrue();
        assertThat(b.closedByTarget()).isTrue();
        assertThat(server.sessions()).isEmpty();
        a.close();
        b.close();
    }
}
