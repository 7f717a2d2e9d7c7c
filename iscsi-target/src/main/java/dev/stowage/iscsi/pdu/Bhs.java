package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Field access for the 48-byte Basic Header Segment (RFC 7143 section 11.2). All methods use
 * absolute indexes, so the buffer's position and limit are untouched. Stateless.
 */
public final class Bhs {
    /** Size of the basic header segment. */
    public static final int SIZE = 48;
    /** The "reserved" task tag value 0xffffffff. */
    public static final int RESERVED_TAG = 0xffffffff;

    private Bhs() {
    }

    public static int opcode(ByteBuffer bhs) {
        return bhs.get(0) & 0x3f;
    }

    public static boolean immediate(ByteBuffer bhs) {
        return (bhs.get(0) & 0x40) != 0;
    }

    public static int flags(ByteBuffer bhs) {
        return bhs.get(1) & 0xff;
    }

    public static int u8(ByteBuffer bhs, int index) {
        return bhs.get(index) & 0xff;
    }

    public static int u16(ByteBuffer bhs, int index) {
        return bhs.getShort(index) & 0xffff;
    }

    public static int u24(ByteBuffer bhs, int index) {
        return ((bhs.get(index) & 0xff) << 16) | ((bhs.get(index + 1) & 0xff) << 8) | (bhs.get(index + 2) & 0xff);
    }

    public static void putU24(ByteBuffer bhs, int index, int value) {
        bhs.put(index, (byte) (value >>> 16));
        bhs.put(index + 1, (byte) (value >>> 8));
        bhs.put(index + 2, (byte) value);
    }

    /** Total AHS length in bytes (the field counts 4-byte words). */
    public static int ahsLength(ByteBuffer bhs) {
        return (bhs.get(4) & 0xff) * 4;
    }

    public static int dataSegmentLength(ByteBuffer bhs) {
        return u24(bhs, 5);
    }

    public static int itt(ByteBuffer bhs) {
        return bhs.getInt(16);
    }

    /** Bytes of padding that follow a data segment of {@code length} bytes. */
    public static int padding(int length) {
        return (4 - (length & 3)) & 3;
    }

    /**
     * Decodes the 8-byte LUN field (SAM-5 single-level addressing: peripheral and flat space)
     * into a LUN number. Other address methods are returned as the raw 64-bit value.
     */
    public static long decodeLun(long raw) {
        int method = (int) (raw >>> 62) & 3;
        int first = (int) (raw >>> 48) & 0xffff;
        if ((raw & 0x0000ffffffffffffL) != 0) {
            return raw;
        }
        return switch (method) {
            case 0 -> first & 0xff;                 // peripheral device addressing, bus 0
            case 1 -> first & 0x3fff;               // flat space addressing
            default -> raw;
        };
    }

    /** Encodes a LUN number as SAM-5 peripheral (below 256) or flat space addressing. */
    public static long encodeLun(long lun) {
        if (lun < 0 || lun > 0x3fff) {
            return lun;
        }
        if (lun < 256) {
            return lun << 48;
        }
        return (0x4000L | lun) << 48;
    }
}
