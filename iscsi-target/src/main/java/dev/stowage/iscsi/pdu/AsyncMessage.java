package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Asynchronous Message (0x32). Event 1 asks the initiator to log out, 4 announces new parameters. */
public record AsyncMessage(long lun, int statSn, int expCmdSn, int maxCmdSn, int event, int vendorCode,
                           int parameter1, int parameter2, int parameter3, ByteBuffer data) implements Pdu {
    public static final int EVENT_SCSI = 0;
    public static final int EVENT_LOGOUT_REQUEST = 1;
    public static final int EVENT_DROP_CONNECTION = 2;
    public static final int EVENT_DROP_ALL = 3;
    public static final int EVENT_NEGOTIATE = 4;

    public AsyncMessage {
        data = Pdu.orEmpty(data);
    }

    static AsyncMessage decode(ByteBuffer bhs, ByteBuffer data) {
        return new AsyncMessage(bhs.getLong(8), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32), Bhs.u8(bhs, 36),
                Bhs.u8(bhs, 37), Bhs.u16(bhs, 38), Bhs.u16(bhs, 40), Bhs.u16(bhs, 42), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.ASYNC_MESSAGE;
    }

    @Override
    public int initiatorTaskTag() {
        return Bhs.RESERVED_TAG;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80);
        bhs.putLong(8, lun).putInt(16, Bhs.RESERVED_TAG).putInt(24, statSn).putInt(28, expCmdSn).putInt(32, maxCmdSn);
        bhs.put(36, (byte) event).put(37, (byte) vendorCode).putShort(38, (short) parameter1)
                .putShort(40, (short) parameter2).putShort(42, (short) parameter3);
    }
}
