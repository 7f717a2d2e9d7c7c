package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * A well-framed PDU whose opcode is not defined (or not valid in this direction). The target
 * answers it with a Reject carrying {@link #header()}.
 *
 * @param header a private copy of the 48-byte basic header segment
 */
public record UnknownPdu(int code, ByteBuffer header, ByteBuffer data) implements Pdu {
    public UnknownPdu {
        data = Pdu.orEmpty(data);
    }

    @Override
    public Opcode opcode() {
        return null;
    }

    @Override
    public int initiatorTaskTag() {
        return header.getInt(16);
    }

    @Override
    public void writeHeader(ByteBuffer bhs) {
        bhs.put(0, header, 0, Bhs.SIZE);
        bhs.put(4, (byte) 0);
        Bhs.putU24(bhs, 5, 0);
    }
}
