package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Data-In (0x25). With {@code statusPresent} (S bit) it also carries the command's status,
 * StatSN and residual, and no SCSI Response follows.
 */
public record DataIn(boolean finalFlag, boolean acknowledge, int residualFlags, boolean statusPresent, int status,
                     long lun, int initiatorTaskTag, int targetTransferTag, int statSn, int expCmdSn, int maxCmdSn,
                     int dataSn, int bufferOffset, int residualCount, ByteBuffer data) implements Pdu {
    public DataIn {
        data = Pdu.orEmpty(data);
    }

    static DataIn decode(ByteBuffer bhs, ByteBuffer data) {
        int flags = Bhs.flags(bhs);
        return new DataIn((flags & 0x80) != 0, (flags & 0x40) != 0, flags & 0x06, (flags & 0x01) != 0,
                Bhs.u8(bhs, 3), bhs.getLong(8), bhs.getInt(16), bhs.getInt(20), bhs.getInt(24), bhs.getInt(28),
                bhs.getInt(32), bhs.getInt(36), bhs.getInt(40), bhs.getInt(44), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.DATA_IN;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        int flags = (finalFlag ? 0x80 : 0) | (acknowledge ? 0x40 : 0) | (residualFlags & 0x06) | (statusPresent ? 1 : 0);
        Pdu.start(bhs, opcode(), false, flags);
        if (statusPresent) {
            bhs.put(3, (byte) status);
        }
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(24, statSn)
                .putInt(28, expCmdSn).putInt(32, maxCmdSn).putInt(36, dataSn).putInt(40, bufferOffset)
                .putInt(44, residualCount);
    }
}
