package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * SCSI Command (0x01). The CDB is the 16 bytes of the header, extended by an Extended-CDB AHS
 * (type 1) when the command is longer. Immediate data is the data segment.
 *
 * @param attribute task attribute code: 0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA
 */
public record ScsiCommandPdu(boolean immediate, boolean finalFlag, boolean read, boolean write, int attribute,
                             long lun, int initiatorTaskTag, int expectedDataTransferLength, int cmdSn,
                             int expStatSn, byte[] cdb, ByteBuffer data) implements Pdu {
    /** AHS type of an extended CDB. */
    public static final int AHS_EXTENDED_CDB = 1;

    public ScsiCommandPdu {
        data = Pdu.orEmpty(data);
        if (cdb.length < 16) {
            cdb = Arrays.copyOf(cdb, 16);
        }
    }

    static ScsiCommandPdu decode(ByteBuffer bhs, ByteBuffer ahs, ByteBuffer data) throws PduFormatException {
        int flags = Bhs.flags(bhs);
        byte[] cdb = new byte[16];
        bhs.get(32, cdb);
        int pos = ahs.position();
        while (pos + 3 < ahs.limit()) {
            int length = ahs.getShort(pos) & 0xffff;
            int type = ahs.get(pos + 2) & 0xff;
            int total = (3 + length + 3) & ~3;
            if (pos + 3 + length > ahs.limit()) {
                throw new PduFormatException(PduFormatException.Kind.INVALID_FIELD, "AHS length exceeds TotalAHSLength");
            }
            if (type == AHS_EXTENDED_CDB && length > 1) {
                byte[] longer = Arrays.copyOf(cdb, 16 + length - 1);
                ahs.get(pos + 4, longer, 16, length - 1);
                cdb = longer;
            }
            pos += total;
        }
        return new ScsiCommandPdu(Bhs.immediate(bhs), (flags & 0x80) != 0, (flags & 0x40) != 0, (flags & 0x20) != 0,
                flags & 7, bhs.getLong(8), bhs.getInt(16), bhs.getInt(20), bhs.getInt(24), bhs.getInt(28), cdb, data);
    }

    @Override
    public Opcode opcode() {
        return Opcode.SCSI_COMMAND;
    }

    @Override
    public ByteBuffer ahs() {
        if (cdb.length <= 16) {
            return EMPTY;
        }
        int extra = cdb.length - 16;
        ByteBuffer ahs = ByteBuffer.allocate((4 + extra + 3) & ~3);
        ahs.putShort(0, (short) (extra + 1)).put(2, (byte) AHS_EXTENDED_CDB);
        ahs.put(4, cdb, 16, extra);
        return ahs;
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        int flags = (finalFlag ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | (attribute & 7);
        Pdu.start(bhs, opcode(), immediate, flags);
        bhs.putLong(8, lun).putInt(16, initiatorTaskTag).putInt(20, expectedDataTransferLength).putInt(24, cmdSn)
                .putInt(28, expStatSn);
        bhs.put(32, cdb, 0, 16);
    }
}
