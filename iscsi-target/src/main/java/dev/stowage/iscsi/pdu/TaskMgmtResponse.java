package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Task Management Function Response (0x22). */
public record TaskMgmtResponse(int response, int initiatorTaskTag, int statSn, int expCmdSn, int maxCmdSn)
        implements Pdu {
    public static final int FUNCTION_COMPLETE = 0;
    public static final int TASK_DOES_NOT_EXIST = 1;
    public static final int LUN_DOES_NOT_EXIST = 2;
    public static final int TASK_STILL_ALLEGIANT = 3;
    public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int FUNCTION_NOT_SUPPORTED = 5;
    public static final int AUTHORIZATION_FAILED = 6;
    public static final int REJECTED = 255;

    static TaskMgmtResponse decode(ByteBuffer bhs) {
        return new TaskMgmtResponse(Bhs.u8(bhs, 2), bhs.getInt(16), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32));
    }

    @Override
    public Opcode opcode() {
        return Opcode.TASK_MGMT_RESPONSE;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80);
        bhs.put(2, (byte) response);
        bhs.putInt(16, initiatorTaskTag).putInt(24, statSn).putInt(28, expCmdSn).putInt(32, maxCmdSn);
    }
}
