package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Task Management Function Request (0x02). */
public record TaskMgmtRequest(boolean immediate, int function, long lun, int initiatorTaskTag, int referencedTaskTag,
                              int cmdSn, int expStatSn, int refCmdSn, int expDataSn) implements Pdu {
    public static final int ABORT_TASK = 1;
    public static final int ABORT_TASK_SET = 2;
    public static final int CLEAR_ACA = 3;
    public static final int CLEAR_TASK_SET = 4;
    public static final int LOGICAL_UNIT_RESET = 5;
    public static final int TARGET_WARM_RESET = 6;
    public static final int TARGET_COLD_RESET = 7;
    public static final int TASK_REASSIGN = 8;

    static TaskMgmtRequest decode(ByteBuffer bhs) {
        return new TaskMgmtRequest(Bhs.immediate(bhs), Bhs.flags(bhs) & 0x7f, bhs.getLong(8), bhs.getInt(16),
                bhs.getInt(20), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32), bhs.getInt(36));
    }

    @Override
    public Opcode opcode() {
        return Opcode.TASK_MGMT_REQUEST;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), immediate, 0x80 | (function & 0x7f));
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, referencedTaskTag).putInt(24, cmdSn)
                .putInt(28, expStatSn).putInt(32, refCmdSn).putInt(36, expDataSn);
    }
}
