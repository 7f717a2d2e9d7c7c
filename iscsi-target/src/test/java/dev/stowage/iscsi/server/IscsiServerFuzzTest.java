package dev.stowage.iscsi.server;

import dev.stowage.iscsi.login.TextKeys;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.DataOut;
import dev.stowage.iscsi.pdu.LoginRequest;
import dev.stowage.iscsi.pdu.NopOut;
import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.PduDecoder;
import dev.stowage.iscsi.pdu.PduEncoder;
import dev.stowage.iscsi.pdu.PduFormatException;
import dev.stowage.iscsi.pdu.ScsiCommandPdu;
import dev.stowage.iscsi.pdu.TaskMgmtRequest;
import dev.stowage.iscsi.pdu.TextRequest;
import dev.stowage.iscsi.testing.FakeScsiTarget;
import dev.stowage.iscsi.testing.TestInitiator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile initiators against a live server (fixed seed, bounded iterations): truncated,
 * oversized, mutated and out-of-order PDUs and bad opcodes, before and after login. Each fuzz
 * connection ends with the client's half-close; the server must answer only with well-formed
 * target PDUs and close the connection, while a healthy session on the same server keeps reading
 * and writing correctly throughout, and a new login works at the end.
 */
@Timeout(180)
class IscsiServerFuzzTest {
    private static final String DISK = "iqn.2026-11.dev.stowage:fuzz";

    @Test
    void hostileConnectionsNeverHurtOtherSessions() throws Exception {
        FakeScsiTarget scsi = new FakeScsiTarget(1024);
        try (IscsiServer server = new IscsiServer(IscsiServerConfig.at(new InetSocketAddress("127.0.0.1", 0)))) {
            server.addTarget(TargetConfig.open(DISK, scsi));
            server.start();
            Random random = new Random(20261122);
            try (TestInitiator healthy = new TestInitiator(server.address(), 0x1)) {
                assertThat(healthy.login(DISK, Map.of()).statusClass()).isZero();
                int closedByServer = 0;
                for (int iteration = 0; iteration < 200; iteration++) {
                    boolean loggedIn = random.nextInt(3) > 0;
                    byte[] attack = attack(random, loggedIn, iteration);
                    List<Pdu> answers = new ArrayList<>();
                    if (exchange(server.address(), loggedIn, attack, answers, iteration)) {
                        closedByServer++;
                    }
                    for (Pdu answer : answers) {
                        assertThat(answer.opcode()).as("answer opcode").isNotNull();
                        assertThat(answer.opcode().fromInitiator()).isFalse();
                    }
                    if (iteration % 10 == 0) {
                        byte[] data = new byte[4096];
                        random.nextBytes(data);
                        long lba = 8L * (iteration % 100);
                        assertThat(healthy.command(0, FakeScsiTarget.rw10(0x2a, lba, 8), data, 4096, false, 512).status())
                                .isZero();
                        assertThat(healthy.command(0, FakeScsiTarget.rw10(0x28, lba, 8), null, 4096, true, 0).data())
                                .isEqualTo(data);
                    }
                }
                assertThat(closedByServer).as("every fuzz connection ends").isEqualTo(200);
                assertThat(healthy.logout().response()).isZero();
            }
            try (TestInitiator fresh = new TestInitiator(server.address(), 0x2)) {
                assertThat(fresh.login(DISK, Map.of()).statusClass()).isZero();
                assertThat(fresh.command(0, new byte[16], null, 0, false, 0).status()).isZero();
            }
        }
    }

    /** Sends the login (when asked) and the attack, half-closes, reads answers until the server closes. */
    private static boolean exchange(InetSocketAddress address, boolean login, byte[] attack, List<Pdu> answers,
                                    int iteration) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(20_000);
            PduEncoder enc = new PduEncoder();
            if (login) {
                ByteBuffer req = enc.encodeToBuffer(new LoginRequest(true, false, 1, 3, 0, 0, 0x500000L + iteration, 0, 1,
                        0, 1, 0, TextKeys.encode(List.of(Map.entry("InitiatorName", TestInitiator.INITIATOR),
                        Map.entry("TargetName", DISK)))));
                socket.getOutputStream().write(req.array(), 0, req.remaining());
            }
            socket.getOutputStream().write(attack);
            socket.shutdownOutput();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    received.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                // a reset is also a close
            }
            PduDecoder dec = new PduDecoder(0xffffff);
            ByteBuffer all = ByteBuffer.wrap(received.toByteArray());
            try {
                Pdu p;
                while ((p = dec.decode(all)) != null) {
                    answers.add(p);
                }
            } catch (PduFormatException e) {
                throw new AssertionError("server sent a malformed PDU", e);
            }
            return true;
        }
    }

    /** A burst of hostile PDUs and bytes. */
    private static byte[] attack(Random random, boolean loggedIn, int iteration) {
        PduEncoder enc = new PduEncoder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = 1 + random.nextInt(6);
        for (int k = 0; k < count; k++) {
            ByteBuffer pdu = enc.encodeToBuffer(somePdu(random, iteration));
            switch (random.nextInt(8)) {
                case 0 -> pdu.limit(random.nextInt(pdu.limit() + 1));                         // truncated
                case 1 -> Bhs.putU24(pdu, 5, 0x10000 + random.nextInt(0xff0000));           // oversized length
                case 2 -> pdu.put(0, (byte) ((pdu.get(0) & 0x40) | random.nextInt(64)));    // any opcode
                case 3 -> pdu.put(random.nextInt(48), (byte) random.nextInt(256));           // flipped header byte
                case 4 -> pdu.putInt(24, random.nextInt());                                  // CmdSN out of order
                default -> {
                }
            }
            out.write(pdu.array(), pdu.arrayOffset() + pdu.position(), pdu.remaining());
        }
        if (random.nextInt(4) == 0) {
            byte[] junk = new byte[random.nextInt(300)];
            random.nextBytes(junk);
            out.writeBytes(junk);
        }
        return out.toByteArray();
    }

    private static Pdu somePdu(Random random, int iteration) {
        int tag = random.nextInt(1000);
        int cmdSn = 1 + random.nextInt(4);
        byte[] cdb = FakeScsiTarget.rw10(random.nextBoolean() ? 0x28 : 0x2a, random.nextInt(2000), 1 + random.nextInt(8));
        return switch (random.nextInt(7)) {
            case 0 -> new ScsiCommandPdu(false, random.nextBoolean(), true, false, 1, 0, tag, random.nextInt(8192), cmdSn,
                    0, cdb, null);
            case 1 -> new ScsiCommandPdu(false, random.nextBoolean(), false, true, 1, 0, tag,
                    random.nextInt(1 << 20), cmdSn, 0, cdb, ByteBuffer.allocate(random.nextInt(2048)));
            case 2 -> new DataOut(random.nextBoolean(), 0, tag, random.nextBoolean() ? -1 : random.nextInt(8),
                    0, random.nextInt(3), random.nextInt(8192), ByteBuffer.allocate(random.nextInt(1024)));
            case 3 -> new NopOut(random.nextBoolean(), 0, tag, -1, cmdSn, 0, ByteBuffer.allocate(random.nextInt(100)));
            // Any function but TARGET COLD RESET, which by definition drops every session of the target.
            case 4 -> new TaskMgmtRequest(true, List.of(1, 2, 3, 4, 5, 6, 8, 9, 0x7f).get(random.nextInt(9)), 0, tag,
                    random.nextInt(1000), cmdSn, 0, 0, 0);
            case 5 -> new TextRequest(random.nextBoolean(), true, random.nextBoolean(), 0, tag, -1, cmdSn, 0,
                    ByteBuffer.wrap(("SendTargets=All\0X-junk=" + iteration + "\0").getBytes()));
            default -> new LoginRequest(random.nextBoolean(), random.nextBoolean(), random.nextInt(4), random.nextInt(4),
                    random.nextInt(3), random.nextInt(3), iteration, random.nextInt(3), tag, 0, cmdSn, 0,
                    ByteBuffer.wrap("InitiatorName=x\0=bad\0".getBytes()));
        };
    }
}
