package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Logout Request (0x06). Reason 0 closes the session, 1 the connection, 2 removes it for recovery. */
public record LogoutRequest(boolean immediate, int reason, int initiatorTaskTag, int cid, int cmdSn, int expStatSn)
        implements Pdu {
    public static final int CLOSE_SESSION = 0;
    public static final int CLOSE_CONNECTION = 1;
    public static final int REMOVE_FOR_RECOVERY = 2;

    static LogoutRequest decode(ByteBuffer bhs) {
        return new LogoutRequest(Bhs.immediate(bhs), Bhs.flags(bhs) & 0x7f, bhs.getInt(16), Bhs.u16(bhs, 20),
                bhs.getInt(24), bhs.getInt(28));
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_REQUEST;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), immediate, 0x80 | (reason & 0x7f));
        bhs.putInt(16, initiatorTaskTag).putShort(20, (short) cid).putInt(24, cmdSn).putInt(28, expStatSn);
    }
}
