package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Text Response (0x24). */
public record TextResponse(boolean finalFlag, boolean cont, long lun, int initiatorTaskTag, int targetTransferTag,
                           int statSn, int expCmdSn, int maxCmdSn, ByteBuffer data) implements Pdu {
    public TextResponse {
        data = Pdu.orEmpty(data);
    }

    static TextResponse decode(ByteBuffer bhs, ByteBuffer data) {
        int flags = Bhs.flags(bhs);
        return new TextResponse((flags & 0x80) != 0, (flags & 0x40) != 0, bhs.getLong(8), bhs.getInt(16),
                bhs.getInt(20), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.TEXT_RESPONSE;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, (finalFlag ? 0x80 : 0) | (cont ? 0x40 : 0));
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(24, statSn)
                .putInt(28, expCmdSn).putInt(32, maxCmdSn);
    }
}
