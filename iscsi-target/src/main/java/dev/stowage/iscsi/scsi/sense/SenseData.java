package dev.stowage.iscsi.scsi.sense;

/** Builds fixed-format sense data (SPC-4 4.5.3). Stateless. */
public final class SenseData {
    /** Length of the fixed-format sense data produced here. */
    public static final int LENGTH = 18;

    private SenseData() {
    }

    /** Sense data for {@code reason} without information or field pointer. */
    public static byte[] fixed(SenseReason reason) {
        return fixed(reason, null, -1, -1, false);
    }

    /**
     * @param information  the INFORMATION field, or null
     * @param fieldPointer byte offset of the bad field, or -1 for none
     * @param bitPointer   bit of the bad field (0-7), or -1 for the whole byte
     * @param inCdb        true when the field pointer is into the CDB, false for the parameter list
     */
    public static byte[] fixed(SenseReason reason, Long information, int fieldPointer, int bitPointer, boolean inCdb) {
        byte[] s = new byte[LENGTH];
        s[0] = (byte) (0x70 | (information != null ? 0x80 : 0));
        s[2] = (byte) reason.key();
        if (information != null) {
            long v = information;
            s[3] = (byte) (v >>> 24);
            s[4] = (byte) (v >>> 16);
            s[5] = (byte) (v >>> 8);
            s[6] = (byte) v;
        }
        s[7] = (byte) (LENGTH - 8);
        s[12] = (byte) reason.asc();
        s[13] = (byte) reason.ascq();
        if (fieldPointer >= 0) {
            int b = 0x80 | (inCdb ? 0x40 : 0);
            if (bitPointer >= 0) {
                b |= 0x08 | (bitPointer & 0x7);
            }
            s[15] = (byte) b;
            s[16] = (byte) (fieldPointer >>> 8);
            s[17] = (byte) fieldPointer;
        }
        return s;
    }

    /** Fixed-format sense data reporting no condition (REQUEST SENSE with nothing pending). */
    public static byte[] noSense() {
        byte[] s = new byte[LENGTH];
        s[0] = 0x70;
        s[7] = (byte) (LENGTH - 8);
        return s;
    }

    /** Sense key of fixed-format sense data. */
    public static int key(byte[] sense) {
        return sense[2] & 0x0f;
    }

    /** Additional sense code of fixed-format sense data. */
    public static int asc(byte[] sense) {
        return sense[12] & 0xff;
    }

    /** Additional sense code qualifier of fixed-format sense data. */
    public static int ascq(byte[] sense) {
        return sense[13] & 0xff;
    }
}
