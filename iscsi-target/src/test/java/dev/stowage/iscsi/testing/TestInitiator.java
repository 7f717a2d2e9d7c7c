package dev.stowage.iscsi.testing;

import dev.stowage.iscsi.login.TextKeys;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.DataIn;
import dev.stowage.iscsi.pdu.DataOut;
import dev.stowage.iscsi.pdu.LoginRequest;
import dev.stowage.iscsi.pdu.LoginResponse;
import dev.stowage.iscsi.pdu.LogoutRequest;
import dev.stowage.iscsi.pdu.LogoutResponse;
import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.PduDecoder;
import dev.stowage.iscsi.pdu.PduEncoder;
import dev.stowage.iscsi.pdu.PduFormatException;
import dev.stowage.iscsi.pdu.R2t;
import dev.stowage.iscsi.pdu.ScsiCommandPdu;
import dev.stowage.iscsi.pdu.ScsiResponsePdu;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal blocking iSCSI initiator for tests: login (with optional CHAP), SCSI commands with
 * R2T/Data-Out and Data-In handling, raw PDU access for protocol tests. Reads block: tests
 * using it carry a JUnit timeout so a silent target fails the test instead of hanging it.
 * Not thread-safe.
 */
public final class TestInitiator implements AutoCloseable {
    public static final String INITIATOR = "iqn.2026-11.dev.stowage.test:initiator";

    private final SocketChannel channel;
    private final PduEncoder encoder = new PduEncoder();
    private final PduDecoder decoder = new PduDecoder(0xffffff);
    private final ByteBuffer in = ByteBuffer.allocate(1 << 20).flip();
    private final long isid;
    private int itt = 1;
    private int cmdSn = 1;
    private int expStatSn;
    private int tsih;
    private int maxRecv = 8192;
    private Map<String, String> negotiated = new LinkedHashMap<>();

    /** Result of a SCSI command. */
    public record Result(int status, byte[] data, byte[] sense, int residualFlags, int residual, int dataInPdus,
                         int r2ts) {
    }

    public TestInitiator(InetSocketAddress target, long isid) throws IOException {
        this.channel = SocketChannel.open(target);
        this.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        this.isid = isid;
    }

    public int tsih() {
        return tsih;
    }

    public Map<String, String> negotiated() {
        return negotiated;
    }

    public int cmdSn() {
        return cmdSn;
    }

    public int nextItt() {
        return itt++;
    }

    /** Sends any PDU. */
    public void send(Pdu pdu) throws IOException {
        ByteBuffer[] parts = encoder.encode(pdu);
        long total = parts[0].remaining() + (long) parts[1].remaining() + parts[2].remaining();
        while (total > 0) {
            total -= channel.write(parts);
        }
    }

    /** Sends raw bytes. */
    public void sendRaw(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Reads the next PDU (its data copied), or throws EOFException when the target closed. */
    public Pdu receive() throws IOException {
        while (true) {
            Pdu pdu;
            try {
                pdu = decoder.decode(in);
            } catch (PduFormatException e) {
                throw new IOException(e);
            }
            if (pdu != null) {
                return copy(pdu);
            }
            in.compact();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new EOFException("target closed the connection");
            }
        }
    }

    private static Pdu copy(Pdu pdu) {
        if (pdu.data().remaining() == 0) {
            return pdu;
        }
        ByteBuffer d = ByteBuffer.allocate(pdu.data().remaining());
        d.put(pdu.data().duplicate()).flip();
        return switch (pdu) {
            case DataIn x -> new DataIn(x.finalFlag(), x.acknowledge(), x.residualFlags(), x.statusPresent(), x.status(),
                    x.lun(), x.initiatorTaskTag(), x.targetTransferTag(), x.statSn(), x.expCmdSn(), x.maxCmdSn(),
                    x.dataSn(), x.bufferOffset(), x.residualCount(), d);
            case ScsiResponsePdu x -> new ScsiResponsePdu(x.residualFlags(), x.response(), x.status(),
                    x.initiatorTaskTag(), x.snackTag(), x.statSn(), x.expCmdSn(), x.maxCmdSn(), x.expDataSn(),
                    x.bidiResidualCount(), x.residualCount(), d);
            case LoginResponse x -> new LoginResponse(x.transit(), x.cont(), x.csg(), x.nsg(), x.versionMax(),
                    x.versionActive(), x.isid(), x.tsih(), x.initiatorTaskTag(), x.statSn(), x.expCmdSn(), x.maxCmdSn(),
                    x.statusClass(), x.statusDetail(), d);
            case dev.stowage.iscsi.pdu.TextResponse x -> new dev.stowage.iscsi.pdu.TextResponse(x.finalFlag(), x.cont(),
                    x.lun(), x.initiatorTaskTag(), x.targetTransferTag(), x.statSn(), x.expCmdSn(), x.maxCmdSn(), d);
            case dev.stowage.iscsi.pdu.NopIn x -> new dev.stowage.iscsi.pdu.NopIn(x.lun(), x.initiatorTaskTag(),
                    x.targetTransferTag(), x.statSn(), x.expCmdSn(), x.maxCmdSn(), d);
            case dev.stowage.iscsi.pdu.Reject x -> new dev.stowage.iscsi.pdu.Reject(x.reason(), x.statSn(), x.expCmdSn(),
                    x.maxCmdSn(), x.dataSn(), d);
            default -> pdu;
        };
    }

    /** One login request/response exchange. */
    public LoginResponse loginStep(boolean transit, int csg, int nsg, List<Map.Entry<String, String>> keys)
            throws IOException {
        send(new LoginRequest(transit, false, csg, nsg, 0, 0, isid, tsih, 0x1000, 0, cmdSn, expStatSn,
                TextKeys.encode(keys)));
        LoginResponse r = (LoginResponse) receive();
        expStatSn = r.statSn() + 1;
        return r;
    }

    /** Parses a response's keys. */
    public static Map<String, String> keys(Pdu pdu) {
        try {
            Map<String, String> m = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : TextKeys.parse(pdu.data())) {
                m.put(e.getKey(), e.getValue());
            }
            return m;
        } catch (TextKeys.MalformedTextException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Logs in without authentication, offering {@code operational} keys.
     *
     * @return the final login response (check its status)
     */
    public LoginResponse login(String targetName, Map<String, String> operational) throws IOException {
        List<Map.Entry<String, String>> keys = new ArrayList<>();
        keys.add(Map.entry("InitiatorName", INITIATOR));
        if (targetName == null) {
            keys.add(Map.entry("SessionType", "Discovery"));
        } else {
            keys.add(Map.entry("TargetName", targetName));
        }
        operational.forEach((k, v) -> keys.add(Map.entry(k, v)));
        LoginResponse r = loginStep(true, 1, 3, keys);
        return finish(r);
    }

    /** Logs in with CHAP (mutual when {@code mutualSecret} is set); returns the final response. */
    public LoginResponse loginChap(String targetName, String user, String secret, String mutualSecret,
                                   byte[] mutualChallenge) throws IOException {
        List<Map.Entry<String, String>> keys = new ArrayList<>();
        keys.add(Map.entry("InitiatorName", INITIATOR));
        keys.add(Map.entry("TargetName", targetName));
        keys.add(Map.entry("AuthMethod", "CHAP,None"));
        LoginResponse r = loginStep(false, 0, 1, keys);
        if (r.statusClass() != 0) {
            return r;
        }
        r = loginStep(false, 0, 1, List.of(Map.entry("CHAP_A", "5")));
        if (r.statusClass() != 0) {
            return r;
        }
        Map<String, String> challenge = keys(r);
        int id = Integer.parseInt(challenge.get("CHAP_I"));
        byte[] c = HexFormat.of().parseHex(challenge.get("CHAP_C").substring(2));
        List<Map.Entry<String, String>> answer = new ArrayList<>();
        answer.add(Map.entry("CHAP_N", user));
        answer.add(Map.entry("CHAP_R", "0x" + HexFormat.of().formatHex(md5(id, secret.getBytes(), c))));
        byte[] mine = mutualChallenge != null ? mutualChallenge : new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        if (mutualSecret != null) {
            answer.add(Map.entry("CHAP_I", "77"));
            answer.add(Map.entry("CHAP_C", "0x" + HexFormat.of().formatHex(mine)));
        }
        r = loginStep(true, 0, 1, answer);
        if (r.statusClass() != 0) {
            return r;
        }
        if (mutualSecret != null) {
            Map<String, String> proof = keys(r);
            byte[] expected = md5(77, mutualSecret.getBytes(), mine);
            if (!("0x" + HexFormat.of().formatHex(expected)).equals(proof.get("CHAP_R"))) {
                throw new IOException("target failed mutual CHAP");
            }
        }
        return finish(loginStep(true, 1, 3, List.of()));
    }

    private LoginResponse finish(LoginResponse r) {
        if (r.statusClass() == 0 && r.transit() && r.nsg() == 3) {
            tsih = r.tsih();
            negotiated = keys(r);
            String mrdsl = negotiated.get("MaxRecvDataSegmentLength");
            if (mrdsl != null) {
                maxRecv = Integer.parseInt(mrdsl);
            }
        }
        return r;
    }

    /** Enables digests locally (after a login that negotiated them). */
    public void useDigests(boolean header, boolean data) {
        encoder.setDigests(header, data);
        decoder.setDigests(header, data);
    }

    /** Runs one SCSI command to completion, answering R2Ts with data from {@code dataOut}. */
    public Result command(long lun, byte[] cdb, byte[] dataOut, int expectedLength, boolean read, int immediate)
            throws IOException {
        int tag = itt++;
        boolean write = dataOut != null;
        int imm = write ? Math.min(immediate, dataOut.length) : 0;
        ByteBuffer immData = imm > 0 ? ByteBuffer.wrap(dataOut, 0, imm) : null;
        send(new ScsiCommandPdu(false, true, read, write, 1, Bhs.encodeLun(lun), tag, expectedLength, cmdSn++,
                expStatSn, cdb, immData));
        return await(tag, dataOut);
    }

    /** Waits for the status of {@code tag}, answering R2Ts. */
    public Result await(int tag, byte[] dataOut) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int dataIns = 0;
        int r2ts = 0;
        while (true) {
            Pdu p = receive();
            switch (p) {
                case R2t r -> {
                    r2ts++;
                    int sent = 0;
                    int dataSn = 0;
                    while (sent < r.desiredLength()) {
                        int len = Math.min(maxRecv, r.desiredLength() - sent);
                        boolean last = sent + len == r.desiredLength();
                        send(new DataOut(last, r.lun(), r.initiatorTaskTag(), r.targetTransferTag(), expStatSn, dataSn++,
                                r.bufferOffset() + sent, ByteBuffer.wrap(dataOut, r.bufferOffset() + sent, len)));
                        sent += len;
                    }
                }
                case DataIn d -> {
                    dataIns++;
                    byte[] b = new byte[d.data().remaining()];
                    d.data().duplicate().get(b);
                    data.writeBytes(b);
                    if (d.statusPresent()) {
                        expStatSn = d.statSn() + 1;
                        return new Result(d.status(), data.toByteArray(), null, d.residualFlags(), d.residualCount(),
                                dataIns, r2ts);
                    }
                }
                case ScsiResponsePdu s -> {
                    expStatSn = s.statSn() + 1;
                    byte[] sense = null;
                    if (s.data().remaining() >= 2) {
                        int len = s.data().getShort(s.data().position()) & 0xffff;
                        sense = new byte[len];
                        s.data().duplicate().position(s.data().position() + 2).get(sense);
                    }
                    return new Result(s.status(), data.toByteArray(), sense, s.residualFlags(), s.residualCount(),
                            dataIns, r2ts);
                }
                default -> throw new IOException("unexpected PDU while waiting for task " + tag + ": " + p);
            }
        }
    }

    /** Logs out (close session) and returns the response. */
    public LogoutResponse logout() throws IOException {
        send(new LogoutRequest(true, LogoutRequest.CLOSE_SESSION, itt++, 0, cmdSn, expStatSn));
        return (LogoutResponse) receive();
    }

    public int expStatSn() {
        return expStatSn;
    }

    public void advanceCmdSn() {
        cmdSn++;
    }

    /** True once the target has closed the connection (reads EOF within the socket's data). */
    public boolean closedByTarget() {
        try {
            while (true) {
                receive();
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static byte[] md5(int id, byte[] secret, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) id);
            md.update(secret);
            md.update(challenge);
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
