package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Logout Response (0x26). Response 0 success, 1 CID not found, 2 recovery not supported, 3 cleanup failed. */
public record LogoutResponse(int response, int initiatorTaskTag, int statSn, int expCmdSn, int maxCmdSn,
                             int time2Wait, int time2Retain) implements Pdu {
    static LogoutResponse decode(ByteBuffer bhs) {
        return new LogoutResponse(Bhs.u8(bhs, 2), bhs.getInt(16), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32),
                Bhs.u16(bhs, 40), Bhs.u16(bhs, 42));
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGOUT_RESPONSE;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80);
        bhs.put(2, (byte) response);
        bhs.putInt(16, initiatorTaskTag).putInt(24, statSn).putInt(28, expCmdSn).putInt(32, maxCmdSn)
                .putShort(40, (short) time2Wait).putShort(42, (short) time2Retain);
    }
}
