package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C header and data digests (RFC 7143 section 13.1). The 32-bit digest travels least
 * significant byte first, as Linux and libiscsi put it on the wire. Not thread-safe: one
 * instance per connection direction.
 */
public final class Digests {
    private final CRC32C crc = new CRC32C();

    /** CRC32C of {@code buffer}'s remaining bytes; the buffer's position is unchanged. */
    public int of(ByteBuffer buffer) {
        crc.reset();
        crc.update(buffer.duplicate());
        return (int) crc.getValue();
    }

    /** Starts a digest that spans several buffers. */
    public void reset() {
        crc.reset();
    }

    /** Adds the remaining bytes of {@code buffer} without moving its position. */
    public void update(ByteBuffer buffer) {
        crc.update(buffer.duplicate());
    }

    /** Adds {@code count} zero bytes (data segment padding). */
    public void updateZeros(int count) {
        for (int i = 0; i < count; i++) {
            crc.update(0);
        }
    }

    public int value() {
        return (int) crc.getValue();
    }

    /** Reads a digest as it appears on the wire at {@code index}. */
    public static int readWire(ByteBuffer buffer, int index) {
        return Integer.reverseBytes(buffer.getInt(index));
    }

    /** Writes a digest in wire order at {@code index}. */
    public static void writeWire(ByteBuffer buffer, int index, int digest) {
        buffer.putInt(index, Integer.reverseBytes(digest));
    }
}
