package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Serialises PDUs for a gathering write: header (BHS, AHS, header digest), the data segment as
 * the caller's own buffer (no copy), then padding and data digest. The header and trailer
 * buffers are reused, so the returned array is valid until the next {@link #encode} call.
 *
 * <p><b>Threading:</b> not thread-safe; one encoder per connection, used under its write lock.
 * <b>Errors:</b> {@link IllegalArgumentException} for a PDU that cannot be framed (data segment
 * of 16 MiB or more, AHS not whole words or above 1020 bytes).
 */
public final class PduEncoder {
    private final ByteBuffer header = ByteBuffer.allocateDirect(Bhs.SIZE + 1020 + 4);
    private final ByteBuffer trailer = ByteBuffer.allocateDirect(8);
    private final ByteBuffer[] out = new ByteBuffer[3];
    private final Digests crc = new Digests();
    private boolean headerDigest;
    private boolean dataDigest;

    /** Switches digests on or off for the following PDUs. */
    public void setDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /** Returns [header, data, trailer]; write all three, in order, with remaining bytes. */
    public ByteBuffer[] encode(Pdu pdu) {
        ByteBuffer data = pdu.data().duplicate();
        ByteBuffer ahs = pdu.ahs().duplicate();
        int dataLength = data.remaining();
        if (dataLength > 0xffffff) {
            throw new IllegalArgumentException("data segment too long: " + dataLength);
        }
        if ((ahs.remaining() & 3) != 0 || ahs.remaining() > 1020) {
            throw new IllegalArgumentException("AHS must be whole words up to 1020 bytes: " + ahs.remaining());
        }
        header.clear();
        for (int i = 0; i < Bhs.SIZE; i++) {
            header.put(i, (byte) 0);
        }
        ByteBuffer bhs = header.slice(0, Bhs.SIZE);
        pdu.writeHeader(bhs);
        bhs.put(4, (byte) (ahs.remaining() / 4));
        Bhs.putU24(bhs, 5, dataLength);
        header.position(Bhs.SIZE);
        header.put(ahs.duplicate());
        if (headerDigest) {
            crc.reset();
            crc.update(header.duplicate().flip());
            Digests.writeWire(header, header.position(), crc.value());
            header.position(header.position() + 4);
        }
        header.flip();

        int pad = Bhs.padding(dataLength);
        trailer.clear();
        for (int i = 0; i < pad; i++) {
            trailer.put((byte) 0);
        }
        if (dataDigest && dataLength > 0) {
            crc.reset();
            crc.update(data);
            crc.updateZeros(pad);
            Digests.writeWire(trailer, trailer.position(), crc.value());
            trailer.position(trailer.position() + 4);
        }
        trailer.flip();
        out[0] = header;
        out[1] = data;
        out[2] = trailer;
        return out;
    }

    /** Encodes into one new heap buffer (tests and rare control PDUs). */
    public ByteBuffer encodeToBuffer(Pdu pdu) {
        ByteBuffer[] parts = encode(pdu);
        ByteBuffer all = ByteBuffer.allocate(parts[0].remaining() + parts[1].remaining() + parts[2].remaining());
        for (ByteBuffer part : parts) {
            all.put(part.duplicate());
        }
        return all.flip();
    }
}
