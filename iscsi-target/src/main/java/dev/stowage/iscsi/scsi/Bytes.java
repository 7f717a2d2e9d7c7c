package dev.stowage.iscsi.scsi;

/** Big-endian field access for SCSI data structures. Stateless. */
public final class Bytes {
    private Bytes() {
    }

    public static void putU16(byte[] d, int off, long v) {
        d[off] = (byte) (v >>> 8);
        d[off + 1] = (byte) v;
    }

    public static void putU32(byte[] d, int off, long v) {
        d[off] = (byte) (v >>> 24);
        d[off + 1] = (byte) (v >>> 16);
        d[off + 2] = (byte) (v >>> 8);
        d[off + 3] = (byte) v;
    }

    public static void putU64(byte[] d, int off, long v) {
        putU32(d, off, v >>> 32);
        putU32(d, off + 4, v);
    }

    public static int u16(byte[] d, int off) {
        return ((d[off] & 0xff) << 8) | (d[off + 1] & 0xff);
    }

    public static long u32(byte[] d, int off) {
        return ((long) u16(d, off) << 16) | u16(d, off + 2);
    }

    public static long u64(byte[] d, int off) {
        return (u32(d, off) << 32) | u32(d, off + 4);
    }

    /** Writes {@code s} as ASCII into {@code width} bytes, space padded. */
    public static void ascii(byte[] d, int offset, String s, int width) {
        for (int i = 0; i < width; i++) {
            d[offset + i] = (byte) (i < s.length() ? s.charAt(i) : ' ');
        }
    }
}
