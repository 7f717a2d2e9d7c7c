package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Ready To Transfer (0x31): solicits {@code desiredLength} bytes of write data at {@code bufferOffset}. */
public record R2t(long lun, int initiatorTaskTag, int targetTransferTag, int statSn, int expCmdSn, int maxCmdSn,
                  int r2tSn, int bufferOffset, int desiredLength) implements Pdu {
    static R2t decode(ByteBuffer bhs) {
        return new R2t(bhs.getLong(8), bhs.getInt(16), bhs.getInt(20), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32),
                bhs.getInt(36), bhs.getInt(40), bhs.getInt(44));
    }

    @Override
    public Opcode opcode() {
        return Opcode.R2T;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80);
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(24, statSn)
                .putInt(28, expCmdSn).putInt(32, maxCmdSn).putInt(36, r2tSn).putInt(40, bufferOffset)
                .putInt(44, desiredLength);
    }
}
