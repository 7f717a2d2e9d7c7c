package dev.stowage.iscsi.session;

import dev.stowage.iscsi.login.KeyTable;
import dev.stowage.iscsi.login.LoginTarget;
import dev.stowage.iscsi.login.TextKeys;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.Reject;
import dev.stowage.iscsi.pdu.TextRequest;
import dev.stowage.iscsi.pdu.TextResponse;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text requests in full feature phase: SendTargets (All, a target name, or empty for the session's
 * target) and answers to other keys (NotUnderstood for unknown keys, Reject for renegotiation,
 * which we do not support). A response longer than the initiator's MaxRecvDataSegmentLength is
 * sent in pieces: C bit and a target transfer tag, continued by empty Text Requests.
 *
 * <p><b>Threading:</b> runs on the connection's reader only.
 */
final class TextExchange {
    private static final int MAX_REQUEST = 65536;

    private final Session session;
    private ByteBuffer pendingResponse;
    private int pendingTag = Bhs.RESERVED_TAG;
    private int pendingItt;
    private final java.io.ByteArrayOutputStream pendingRequest = new java.io.ByteArrayOutputStream();

    TextExchange(Session session) {
        this.session = session;
    }

    void request(Connection c, TextRequest t) throws IOException {
        if (t.targetTransferTag() != Bhs.RESERVED_TAG) {
            if (pendingResponse == null || t.targetTransferTag() != pendingTag || t.initiatorTaskTag() != pendingItt) {
                c.reject(Reject.PROTOCOL_ERROR, t, "Text Request continues no response of ours");
                return;
            }
            sendPiece(c, t);
            return;
        }
        pendingResponse = null;
        if (pendingRequest.size() + t.data().remaining() > MAX_REQUEST) {
            pendingRequest.reset();
            c.reject(Reject.PROTOCOL_ERROR, t, "text request longer than " + MAX_REQUEST + " bytes");
            return;
        }
        byte[] chunk = new byte[t.data().remaining()];
        t.data().duplicate().get(chunk);
        pendingRequest.writeBytes(chunk);
        if (t.cont()) {
            c.writer().send(n -> new TextResponse(false, false, t.lun(), t.initiatorTaskTag(), Bhs.RESERVED_TAG,
                    n.statSn(), n.expCmdSn(), n.maxCmdSn(), null), true);
            return;
        }
        List<Map.Entry<String, String>> keys;
        try {
            keys = TextKeys.parse(pendingRequest.toByteArray());
        } catch (TextKeys.MalformedTextException e) {
            c.reject(Reject.PROTOCOL_ERROR, t, e.getMessage());
            return;
        } finally {
            pendingRequest.reset();
        }
        List<Map.Entry<String, String>> answer = new ArrayList<>();
        for (Map.Entry<String, String> key : keys) {
            if (key.getKey().equals("SendTargets")) {
                answer.addAll(sendTargets(c, key.getValue()));
            } else if (KeyTable.STANDARD.get(key.getKey()) == null) {
                answer.add(Map.entry(key.getKey(), "NotUnderstood"));
            } else {
                answer.add(Map.entry(key.getKey(), "Reject"));
            }
        }
        pendingResponse = TextKeys.encode(answer);
        pendingItt = t.initiatorTaskTag();
        pendingTag = session.newTransferTag();
        sendPiece(c, t);
    }

    private void sendPiece(Connection c, TextRequest t) throws IOException {
        int max = session.parameters().initiatorMaxRecvDataSegmentLength();
        ByteBuffer all = pendingResponse;
        int length = Math.min(max, all.remaining());
        ByteBuffer piece = all.slice(all.position(), length);
        all.position(all.position() + length);
        boolean more = all.hasRemaining();
        int tag = more ? pendingTag : Bhs.RESERVED_TAG;
        if (!more) {
            pendingResponse = null;
        }
        c.writer().send(n -> new TextResponse(!more, more, t.lun(), t.initiatorTaskTag(), tag, n.statSn(),
                n.expCmdSn(), n.maxCmdSn(), piece), true);
    }

    private List<Map.Entry<String, String>> sendTargets(Connection c, String value) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        String address = address(c);
        for (LoginTarget target : session.portal().targetsFor(session.initiatorName())) {
            boolean wanted = value.equals("All") && session.discovery()
                    || value.equals(target.name())
                    || (value.isEmpty() || value.equals("All")) && session.target() != null
                            && session.target().name().equals(target.name());
            if (wanted) {
                out.add(Map.entry("TargetName", target.name()));
                out.add(Map.entry("TargetAddress", address + "," + session.portal().portalGroupTag()));
            }
        }
        return out;
    }

    private String address(Connection c) {
        InetSocketAddress local = session.portal().advertisedAddress(c.localAddress());
        String host = local.getAddress().getHostAddress();
        if (local.getAddress() instanceof Inet6Address) {
            host = "[" + host + "]";
        }
        return host + ":" + local.getPort();
    }
}
