package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Login Response (0x23). Status class 0 is success, 1 redirection, 2 initiator error, 3 target error. */
public record LoginResponse(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionActive,
                            long isid, int tsih, int initiatorTaskTag, int statSn, int expCmdSn, int maxCmdSn,
                            int statusClass, int statusDetail, ByteBuffer data) implements Pdu {
    public LoginResponse {
        data = Pdu.orEmpty(data);
    }

    static LoginResponse decode(ByteBuffer bhs, ByteBuffer data) {
        int flags = Bhs.flags(bhs);
        long isid = (bhs.getLong(8) >>> 16) & 0xffffffffffffL;
        return new LoginResponse((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 3, flags & 3,
                Bhs.u8(bhs, 2), Bhs.u8(bhs, 3), isid, Bhs.u16(bhs, 14), bhs.getInt(16), bhs.getInt(24),
                bhs.getInt(28), bhs.getInt(32), Bhs.u8(bhs, 36), Bhs.u8(bhs, 37), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_RESPONSE;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        int flags = (transit ? 0x80 : 0) | (cont ? 0x40 : 0) | ((csg & 3) << 2) | (nsg & 3);
        Pdu.start(bhs, opcode(), false, flags);
        bhs.put(2, (byte) versionMax).put(3, (byte) versionActive);
        bhs.putLong(8, (isid << 16) | (tsih & 0xffff));
        bhs.putInt(16, initiatorTaskTag).putInt(24, statSn).putInt(28, expCmdSn).putInt(32, maxCmdSn);
        bhs.put(36, (byte) statusClass).put(37, (byte) statusDetail);
    }
}
