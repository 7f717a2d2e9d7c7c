package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** NOP-In (0x20): the answer to a ping, or a target-initiated ping (ITT 0xffffffff). */
public record NopIn(long lun, int initiatorTaskTag, int targetTransferTag, int statSn, int expCmdSn, int maxCmdSn,
                    ByteBuffer data) implements Pdu {
    public NopIn {
        data = Pdu.orEmpty(data);
    }

    static NopIn decode(ByteBuffer bhs, ByteBuffer data) {
        return new NopIn(bhs.getLong(8), bhs.getInt(16), bhs.getInt(20), bhs.getInt(24), bhs.getInt(28),
                bhs.getInt(32), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.NOP_IN;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80);
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(24, statSn)
                .putInt(28, expCmdSn).putInt(32, maxCmdSn);
    }
}
