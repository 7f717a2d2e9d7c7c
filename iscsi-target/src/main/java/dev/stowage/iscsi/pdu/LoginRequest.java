package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Login Request (0x03, always immediate). Stages: 0 security negotiation, 1 login operational
 * negotiation, 3 full feature phase.
 *
 * @param isid the 6-byte initiator session id as the low 48 bits
 */
public record LoginRequest(boolean transit, boolean cont, int csg, int nsg, int versionMax, int versionMin, long isid,
                           int tsih, int initiatorTaskTag, int cid, int cmdSn, int expStatSn, ByteBuffer data)
        implements Pdu {
    public LoginRequest {
        data = Pdu.orEmpty(data);
    }

    static LoginRequest decode(ByteBuffer bhs, ByteBuffer data) {
        int flags = Bhs.flags(bhs);
        long isid = (bhs.getLong(8) >>> 16) & 0xffffffffffffL;
        return new LoginRequest((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 3, flags & 3,
                Bhs.u8(bhs, 2), Bhs.u8(bhs, 3), isid, Bhs.u16(bhs, 14), bhs.getInt(16), Bhs.u16(bhs, 20),
                bhs.getInt(24), bhs.getInt(28), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.LOGIN_REQUEST;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        int flags = (transit ? 0x80 : 0) | (cont ? 0x40 : 0) | ((csg & 3) << 2) | (nsg & 3);
        Pdu.start(bhs, opcode(), true, flags);
        bhs.put(2, (byte) versionMax).put(3, (byte) versionMin);
        bhs.putLong(8, (isid << 16) | (tsih & 0xffff));
        bhs.putInt(16, initiatorTaskTag).putShort(20, (short) cid).putInt(24, cmdSn).putInt(28, expStatSn);
    }
}
