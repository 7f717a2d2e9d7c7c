package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** NOP-Out (0x00): a ping from the initiator or the answer to a target's NOP-In. */
public record NopOut(boolean immediate, long lun, int initiatorTaskTag, int targetTransferTag, int cmdSn,
                     int expStatSn, ByteBuffer data) implements Pdu {
    public NopOut {
        data = Pdu.orEmpty(data);
    }

    static NopOut decode(ByteBuffer bhs, ByteBuffer data) {
        return new NopOut(Bhs.immediate(bhs), bhs.getLong(8), bhs.getInt(16), bhs.getInt(20), bhs.getInt(24),
                bhs.getInt(28), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.NOP_OUT;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), immediate, 0x80);
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(24, cmdSn)
                .putInt(28, expStatSn);
    }
}
