package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Response (0x21). The data segment carries SenseLength (2 bytes) and sense data.
 *
 * @param residualFlags {@link #OVERFLOW}, {@link #UNDERFLOW} (and bidirectional variants)
 * @param response      0x00 command completed at target, 0x01 target failure
 */
public record ScsiResponsePdu(int residualFlags, int response, int status, int initiatorTaskTag, int snackTag,
                              int statSn, int expCmdSn, int maxCmdSn, int expDataSn, int bidiResidualCount,
                              int residualCount, ByteBuffer data) implements Pdu {
    public static final int BIDI_OVERFLOW = 0x10;
    public static final int BIDI_UNDERFLOW = 0x08;
    public static final int OVERFLOW = 0x04;
    public static final int UNDERFLOW = 0x02;

    public ScsiResponsePdu {
        data = Pdu.orEmpty(data);
    }

    /** Builds the data segment for sense data: 2-byte SenseLength then the sense bytes. */
    public static ByteBuffer senseSegment(byte[] sense) {
        ByteBuffer b = ByteBuffer.allocate(2 + sense.length);
        b.putShort((short) sense.length).put(sense).flip();
        return b;
    }

    static ScsiResponsePdu decode(ByteBuffer bhs, ByteBuffer data) {
        return new ScsiResponsePdu(Bhs.flags(bhs) & 0x1e, Bhs.u8(bhs, 2), Bhs.u8(bhs, 3), bhs.getInt(16),
                bhs.getInt(20), bhs.getInt(24), bhs.getInt(28), bhs.getInt(32), bhs.getInt(36), bhs.getInt(40),
                bhs.getInt(44), data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.SCSI_RESPONSE;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        Pdu.start(bhs, opcode(), false, 0x80 | (residualFlags & 0x1e));
        bhs.put(2, (byte) response).put(3, (byte) status);
        bhs.putInt(16, initiatorTaskTag).putInt(20, snackTag).putInt(24, statSn).putInt(28, expCmdSn)
                .putInt(32, maxCmdSn).putInt(36, expDataSn).putInt(40, bidiResidualCount).putInt(44, residualCount);
    }
}
