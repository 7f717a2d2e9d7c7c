package dev.stowage.iscsi.scsi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a disk logical unit tells INQUIRY: T10 vendor (8 chars), product (16), revision (4) and a
 * unit serial number, plus a stable NAA IEEE Registered Extended identifier derived from the serial.
 */
public record DiskIdentity(String vendor, String product, String revision, String serial) {
    /** IEEE company id placed in the NAA identifier (a locally administered value). */
    private static final long COMPANY_ID = 0x0014_05L;

    public DiskIdentity {
        requirePrintable(vendor, 8, "vendor");
        requirePrintable(product, 16, "product");
        requirePrintable(revision, 4, "revision");
        requirePrintable(serial, 64, "serial");
        if (serial.isBlank()) {
            throw new IllegalArgumentException("serial must not be blank");
        }
    }

    /** The product's default strings with {@code serial}. */
    public static DiskIdentity of(String serial) {
        return new DiskIdentity("STOWAGE", "VIRTUAL-DISK", "0001", serial);
    }

    private static void requirePrintable(String s, int max, String what) {
        if (s == null || s.length() > max || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(what + " must be at most " + max + " printable ASCII characters: " + s);
        }
    }

    /** The 16-byte NAA type 6 (IEEE Registered Extended) designator for this unit. */
    public byte[] naa() {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest((vendor + "\0" + serial).getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] d = new byte[16];
        d[0] = (byte) (0x60 | (COMPANY_ID >>> 20 & 0x0f));
        d[1] = (byte) (COMPANY_ID >>> 12);
        d[2] = (byte) (COMPANY_ID >>> 4);
        d[3] = (byte) ((COMPANY_ID & 0x0f) << 4 | (h[0] & 0x0f));
        System.arraycopy(h, 1, d, 4, 12);
        return d;
    }
}
