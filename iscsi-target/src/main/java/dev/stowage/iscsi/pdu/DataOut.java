package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** SCSI Data-Out (0x05): write data, unsolicited (TTT 0xffffffff) or answering an R2T. */
public record DataOut(boolean finalFlag, long lun, int initiatorTaskTag, int targetTransferTag, int expStatSn,
                      int dataSn, int bufferOffset, ByteBuffer data) implements Pdu {
    public DataOut {
        data = Pdu.orEmpty(data);
    }

    static DataOut decode(ByteBuffer bhs, ByteBuffer data) {
        return new DataOut((Bhs.flags(bhs) & 0x80) != 0, bhs.getLong(8), bhs.getInt(16), bhs.getInt(20),
                bhs.getInt(28), bhs.getInt(36), bhs.getInt(40), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.DATA_OUT;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, finalFlag ? 0x80 : 0);
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(28, expStatSn)
                .putInt(36, dataSn).putInt(40, bufferOffset);
    }
}
