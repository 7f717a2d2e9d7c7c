package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Reject (0x3f): the data segment is the complete header of the rejected PDU. */
public record Reject(int reason, int statSn, int expCmdSn, int maxCmdSn, int dataSn, ByteBuffer data) implements Pdu {
    public static final int DATA_DIGEST_ERROR = 0x02;
    public static final int SNACK_REJECT = 0x03;
    public static final int PROTOCOL_ERROR = 0x04;
    public static final int COMMAND_NOT_SUPPORTED = 0x05;
    public static final int IMMEDIATE_COMMAND_REJECT = 0x06;
    public static final int TASK_IN_PROGRESS = 0x07;
    public static final int INVALID_DATA_ACK = 0x08;
    public static final int INVALID_PDU_FIELD = 0x09;
    public static final int LONG_OPERATION_REJECT = 0x0a;
    public static final int NEGOTIATION_RESET = 0x0b;
    public static final int WAITING_FOR_LOGOUT = 0x0c;

    public Reject {
        data = Pdu.orEmpty(data);
    }

    static Reject decode(ByteBuffer bhs, ByteBuffer data) {
        return new Reject(Bhs.u8(bhs, 2), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32), bhs.getInt(36), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.REJECT;
    }

    @Override
    public int initiatorTaskTag() {
        return Bhs.RESERVED_TAG;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80);
        bhs.put(2, (byte) reason);
        bhs.putInt(16, Bhs.RESERVED_TAG).putInt(24, statSn).putInt(28, expCmdSn).putInt(32, maxCmdSn).putInt(36, dataSn);
    }
}
