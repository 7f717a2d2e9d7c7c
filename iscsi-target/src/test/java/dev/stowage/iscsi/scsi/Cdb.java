package dev.stowage.iscsi.scsi;

import java.nio.ByteBuffer;

/** CDB and parameter-list builders for tests. */
final class Cdb {
    private Cdb() {
    }

    static byte[] of(int length, int opcode) {
        byte[] c = new byte[length];
        c[0] = (byte) opcode;
        return c;
    }

    static byte[] tur() {
        return of(6, 0x00);
    }

    static byte[] requestSense(int alloc) {
        byte[] c = of(6, 0x03);
        c[4] = (byte) alloc;
        return c;
    }

    static byte[] inquiry(boolean evpd, int page, int alloc) {
        byte[] c = of(6, 0x12);
        c[1] = (byte) (evpd ? 1 : 0);
        c[2] = (byte) page;
        Bytes.putU16(c, 3, alloc);
        return c;
    }

    static byte[] reportLuns(int select, int alloc) {
        byte[] c = of(12, 0xa0);
        c[2] = (byte) select;
        Bytes.putU32(c, 6, alloc);
        return c;
    }

    static byte[] modeSense6(int page, int pc, int subpage, int alloc, boolean dbd) {
        byte[] c = of(6, 0x1a);
        c[1] = (byte) (dbd ? 0x08 : 0);
        c[2] = (byte) (pc << 6 | page);
        c[3] = (byte) subpage;
        c[4] = (byte) alloc;
        return c;
    }

    static byte[] modeSense10(int page, int pc, int alloc, boolean llbaa) {
        byte[] c = of(10, 0x5a);
        c[1] = (byte) (llbaa ? 0x10 : 0);
        c[2] = (byte) (pc << 6 | page);
        Bytes.putU16(c, 7, alloc);
        return c;
    }

    static byte[] modeSelect6(int length, boolean sp) {
        byte[] c = of(6, 0x15);
        c[1] = (byte) (0x10 | (sp ? 1 : 0));
        c[4] = (byte) length;
        return c;
    }

    static byte[] readCapacity10() {
        return of(10, 0x25);
    }

    static byte[] readCapacity16(int alloc) {
        byte[] c = of(16, 0x9e);
        c[1] = 0x10;
        Bytes.putU32(c, 10, alloc);
        return c;
    }

    static byte[] rw6(int opcode, int lba, int blocks) {
        byte[] c = of(6, opcode);
        c[1] = (byte) (lba >>> 16 & 0x1f);
        c[2] = (byte) (lba >>> 8);
        c[3] = (byte) lba;
        c[4] = (byte) blocks;
        return c;
    }

    static byte[] rw10(int opcode, long lba, int blocks, int flags) {
        byte[] c = of(10, opcode);
        c[1] = (byte) flags;
        Bytes.putU32(c, 2, lba);
        Bytes.putU16(c, 7, blocks);
        return c;
    }

    static byte[] rw12(int opcode, long lba, long blocks, int flags) {
        byte[] c = of(12, opcode);
        c[1] = (byte) flags;
        Bytes.putU32(c, 2, lba);
        Bytes.putU32(c, 6, blocks);
        return c;
    }

    static byte[] rw16(int opcode, long lba, long blocks, int flags) {
        byte[] c = of(16, opcode);
        c[1] = (byte) flags;
        Bytes.putU64(c, 2, lba);
        Bytes.putU32(c, 10, blocks);
        return c;
    }

    static byte[] read10(long lba, int blocks) {
        return rw10(0x28, lba, blocks, 0);
    }

    static byte[] write10(long lba, int blocks) {
        return rw10(0x2a, lba, blocks, 0);
    }

    static byte[] read16(long lba, long blocks) {
        return rw16(0x88, lba, blocks, 0);
    }

    static byte[] write16(long lba, long blocks) {
        return rw16(0x8a, lba, blocks, 0);
    }

    static byte[] compareAndWrite(long lba, int blocks) {
        byte[] c = of(16, 0x89);
        Bytes.putU64(c, 2, lba);
        c[13] = (byte) blocks;
        return c;
    }

    static byte[] unmap(int length) {
        byte[] c = of(10, 0x42);
        Bytes.putU16(c, 7, length);
        return c;
    }

    /** An UNMAP parameter list with (lba, blocks) pairs. */
    static byte[] unmapList(long... lbaBlocks) {
        int n = lbaBlocks.length / 2;
        byte[] p = new byte[8 + 16 * n];
        Bytes.putU16(p, 0, p.length - 2);
        Bytes.putU16(p, 2, 16 * n);
        for (int i = 0; i < n; i++) {
            Bytes.putU64(p, 8 + 16 * i, lbaBlocks[2 * i]);
            Bytes.putU32(p, 16 + 16 * i, lbaBlocks[2 * i + 1]);
        }
        return p;
    }

    static byte[] writeSame10(long lba, int blocks, boolean unmap) {
        byte[] c = rw10(0x41, lba, blocks, unmap ? 0x08 : 0);
        return c;
    }

    static byte[] writeSame16(long lba, long blocks, boolean unmap, boolean ndob) {
        return rw16(0x93, lba, blocks, (unmap ? 0x08 : 0) | (ndob ? 0x01 : 0));
    }

    static byte[] getLbaStatus(long lba, int alloc) {
        byte[] c = of(16, 0x9e);
        c[1] = 0x12;
        Bytes.putU64(c, 2, lba);
        Bytes.putU32(c, 10, alloc);
        return c;
    }

    static byte[] syncCache10() {
        return of(10, 0x35);
    }

    static byte[] startStop(boolean start, boolean loej) {
        byte[] c = of(6, 0x1b);
        c[4] = (byte) ((start ? 1 : 0) | (loej ? 2 : 0));
        return c;
    }

    static byte[] rsoc(int options, int opcode, int sa, int alloc) {
        byte[] c = of(12, 0xa3);
        c[1] = 0x0c;
        c[2] = (byte) options;
        c[3] = (byte) opcode;
        Bytes.putU16(c, 4, sa);
        Bytes.putU32(c, 6, alloc);
        return c;
    }

    static byte[] prIn(int sa, int alloc) {
        byte[] c = of(10, 0x5e);
        c[1] = (byte) sa;
        Bytes.putU16(c, 7, alloc);
        return c;
    }

    static byte[] prOut(int sa, int type) {
        byte[] c = of(10, 0x5f);
        c[1] = (byte) sa;
        c[2] = (byte) type;
        Bytes.putU32(c, 5, 24);
        return c;
    }

    static byte[] prOutParams(long key, long serviceActionKey) {
        byte[] p = new byte[24];
        Bytes.putU64(p, 0, key);
        Bytes.putU64(p, 8, serviceActionKey);
        return p;
    }

    static byte[] filled(int bytes, int value) {
        byte[] b = new byte[bytes];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    static ByteBuffer wrap(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b).asReadOnlyBuffer();
    }
}
