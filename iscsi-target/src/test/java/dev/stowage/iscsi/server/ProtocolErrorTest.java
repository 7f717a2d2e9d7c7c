package dev.stowage.iscsi.server;

import dev.stowage.iscsi.login.TargetLimits;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.DataOut;
import dev.stowage.iscsi.pdu.NopIn;
import dev.stowage.iscsi.pdu.NopOut;
import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.PduEncoder;
import dev.stowage.iscsi.pdu.R2t;
import dev.stowage.iscsi.pdu.Reject;
import dev.stowage.iscsi.pdu.ScsiCommandPdu;
import dev.stowage.iscsi.pdu.ScsiResponsePdu;
import dev.stowage.iscsi.testing.FakeScsiTarget;
import dev.stowage.iscsi.testing.TestInitiator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How the target answers broken write sequences, digests and resource limits. */
@Timeout(60)
class ProtocolErrorTest {
    private static final String DISK = "iqn.2026-11.dev.stowage:errors";
    private IscsiServer server;

    private TestInitiator start(IscsiServerConfig config, Map<String, String> keys) throws IOException {
        server = new IscsiServer(config);
        server.addTarget(TargetConfig.open(DISK, new FakeScsiTarget(4096)));
        server.start();
        TestInitiator i = new TestInitiator(server.address(), 0x42);
        assertThat(i.login(DISK, keys).statusClass()).isZero();
        return i;
    }

    private static IscsiServerConfig config() {
        return IscsiServerConfig.at(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void wrongDataSnFailsTheTaskWithDataPhaseError() throws Exception {
        try (TestInitiator i = start(config(), Map.of("ImmediateData", "No", "InitialR2T", "Yes"))) {
            int tag = i.nextItt();
            i.send(new ScsiCommandPdu(false, true, false, true, 1, 0, tag, 1024, i.cmdSn(), i.expStatSn(),
                    FakeScsiTarget.rw10(0x2a, 0, 2), null));
            i.advanceCmdSn();
            R2t r2t = (R2t) i.receive();
            assertThat(r2t.desiredLength()).isEqualTo(1024);
            i.send(new DataOut(true, 0, tag, r2t.targetTransferTag(), i.expStatSn(), 27, 0,
                    ByteBuffer.allocate(1024)));
            ScsiResponsePdu status = (ScsiResponsePdu) i.receive();
            assertThat(status.status()).isEqualTo(2);
            ByteBuffer sense = status.data();
            assertThat(sense.get(sense.position() + 2 + 2) & 0x0f).as("sense key").isEqualTo(0x0b);
            assertThat(sense.get(sense.position() + 2 + 12) & 0xff).as("ASC").isEqualTo(0x4b);
            assertThat(i.command(0, new byte[16], null, 0, false, 0).status()).as("session goes on").isZero();
        }
    }

    @Test
    void writesAboveTheMaximumFailWithoutBuffering() throws Exception {
        IscsiServerConfig small = new IscsiServerConfig(new InetSocketAddress("127.0.0.1", 0), 1,
                TargetLimits.defaults(), 16, 4096, 4096, null, Duration.ofSeconds(30), Duration.ZERO, 16);
        try (TestInitiator i = start(small, Map.of())) {
            TestInitiator.Result r = i.command(0, FakeScsiTarget.rw10(0x2a, 0, 16), new byte[8192], 8192, false, 0);
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.sense()[2]).isEqualTo((byte) 0x05);
            assertThat(r.sense()[12]).isEqualTo((byte) 0x24);
            assertThat(r.r2ts()).isZero();
        }
    }

    @Test
    void writesBeyondTheConnectionBudgetGetTaskSetFull() throws Exception {
        IscsiServerConfig small = new IscsiServerConfig(new InetSocketAddress("127.0.0.1", 0), 1,
                TargetLimits.defaults(), 16, 4096, 4096, null, Duration.ofSeconds(30), Duration.ZERO, 16);
        try (TestInitiator i = start(small, Map.of("ImmediateData", "No", "InitialR2T", "Yes"))) {
            int first = i.nextItt();
            i.send(new ScsiCommandPdu(false, true, false, true, 1, 0, first, 4096, i.cmdSn(), i.expStatSn(),
                    FakeScsiTarget.rw10(0x2a, 0, 8), null));
            i.advanceCmdSn();
            R2t r2t = (R2t) i.receive();    // the first write holds the whole budget while it waits for data
            TestInitiator.Result second = i.command(0, FakeScsiTarget.rw10(0x2a, 8, 8), new byte[4096], 4096, false, 0);
            assertThat(second.status()).isEqualTo(0x28);
            i.send(new DataOut(true, 0, first, r2t.targetTransferTag(), i.expStatSn(), 0, 0, ByteBuffer.allocate(4096)));
            assertThat(i.await(first, null).status()).isZero();
            assertThat(i.command(0, FakeScsiTarget.rw10(0x2a, 8, 8), new byte[4096], 4096, false, 0).status())
                    .as("budget released").isZero();
        }
    }

    @Test
    void dataDigestErrorIsRejectedAndTheConnectionSurvives() throws Exception {
        try (TestInitiator i = start(config(), Map.of("DataDigest", "CRC32C"))) {
            i.useDigests(false, true);
            PduEncoder enc = new PduEncoder();
            enc.setDigests(false, true);
            ByteBuffer bad = enc.encodeToBuffer(new NopOut(true, 0, 5, Bhs.RESERVED_TAG, i.cmdSn(), i.expStatSn(),
                    ByteBuffer.wrap(new byte[]{1, 2, 3, 4})));
            bad.put(48, (byte) 9);      // corrupt the payload, keep the digest
            i.sendRaw(bad);
            Pdu answer = i.receive();
            assertThat(answer).isInstanceOfSatisfying(Reject.class,
                    r -> assertThat(r.reason()).isEqualTo(Reject.DATA_DIGEST_ERROR));
            i.send(new NopOut(true, 0, 6, Bhs.RESERVED_TAG, i.cmdSn(), i.expStatSn(), null));
            assertThat(i.receive()).isInstanceOf(NopIn.class);
        }
    }

    @Test
    void headerDigestErrorClosesTheConnection() throws Exception {
        try (TestInitiator i = start(config(), Map.of("HeaderDigest", "CRC32C"))) {
            i.useDigests(true, false);
            PduEncoder enc = new PduEncoder();
            enc.setDigests(true, false);
            ByteBuffer bad = enc.encodeToBuffer(new NopOut(true, 0, 5, Bhs.RESERVED_TAG, i.cmdSn(), i.expStatSn(), null));
            bad.put(20, (byte) 0x77);
            i.sendRaw(bad);
            assertThat(i.closedByTarget()).isTrue();
            assertThat(server.sessions()).isEmpty();
        }
    }

    @Test
    void oversizedSegmentClosesTheConnection() throws Exception {
        try (TestInitiator i = start(config(), Map.of())) {
            ByteBuffer header = new PduEncoder().encodeToBuffer(new NopOut(true, 0, 5, Bhs.RESERVED_TAG, i.cmdSn(),
                    i.expStatSn(), null));
            Bhs.putU24(header, 5, 0xfffff0);
            i.sendRaw(header);
            Pdu answer = i.receive();
            assertThat(answer).isInstanceOf(Reject.class);
            assertThat(i.closedByTarget()).isTrue();
        }
    }
}
