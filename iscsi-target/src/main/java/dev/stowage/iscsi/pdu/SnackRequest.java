package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** SNACK Request (0x10). Only meaningful at ErrorRecoveryLevel above 0. */
public record SnackRequest(int type, long lun, int initiatorTaskTag, int targetTransferTag, int expStatSn,
                           int begRun, int runLength) implements Pdu {
    static SnackRequest decode(ByteBuffer bhs) {
        return new SnackRequest(Bhs.flags(bhs) & 0x0f, bhs.getLong(8), bhs.getInt(16), bhs.getInt(20), bhs.getInt(28),
                bhs.getInt(40), bhs.getInt(44));
    }

    @Override
    public Opcode opcode() {
        return Opcode.SNACK_REQUEST;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80 | (type & 0x0f));
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(28, expStatSn)
                .putInt(40, begRun).putInt(44, runLength);
    }
}
