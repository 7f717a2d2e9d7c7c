package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/** Text Request (0x04): key=value pairs in the data segment; C set when more text follows. */
public record TextRequest(boolean immediate, boolean finalFlag, boolean cont, long lun, int initiatorTaskTag,
                          int targetTransferTag, int cmdSn, int expStatSn, ByteBuffer data) implements Pdu {
    public TextRequest {
        data = Pdu.orEmpty(data);
    }

    static TextRequest decode(ByteBuffer bhs, ByteBuffer data) {
        int flags = Bhs.flags(bhs);
        return new TextRequest(Bhs.immediate(bhs), (flags & 0x80) != 0, (flags & 0x40) != 0, bhs.getLong(8),
                bhs.getInt(16), bhs.getInt(20), bhs.getInt(24), bhs.getInt(28), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.TEXT_REQUEST;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), immediate, (finalFlag ? 0x80 : 0) | (cont ? 0x40 : 0));
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, targetTransferTag).putInt(24, cmdSn)
                .putInt(28, expStatSn);
    }
}
