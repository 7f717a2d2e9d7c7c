package dev.stowage.iscsi.scsi.spc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.iscsi.scsi.Bytes;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * MODE SENSE(6/10) and MODE SELECT(6/10) for disks (SPC-4 6.11-6.14, SBC-3 6.4). Pages: read-write
 * error recovery (0x01), caching (0x08, WCE is true only when the device has a volatile cache, and
 * changeable then), control (0x0A, SWP changeable) and informational exceptions control (0x1C);
 * 0x3F returns them all. Saved values are not supported (PC=3 and SP=1 are refused).
 */
public final class ModePages {
    private static final int[] PAGES = {0x01, 0x08, 0x0a, 0x1c};

    private ModePages() {
    }

    public static ScsiResponse sense6(Task t) throws SenseException {
        t.requireZero(1, 0xf7);
        return sense(t, false, t.u8(4));
    }

    public static ScsiResponse sense10(Task t) throws SenseException {
        t.requireZero(1, 0xe7);
        return sense(t, true, t.u16(7));
    }

    private static ScsiResponse sense(Task t, boolean ten, int alloc) throws SenseException {
        LogicalUnit lu = t.lu();
        boolean dbd = t.bit(1, 3);
        boolean llbaa = ten && t.bit(1, 4);
        int pc = t.u8(2) >>> 6;
        int page = t.u8(2) & 0x3f;
        int subpage = t.u8(3);
        if (pc == 3) {
            throw SenseException.of(SenseReason.SAVING_PARAMETERS_NOT_SUPPORTED);
        }
        ByteArrayOutputStream pages = new ByteArrayOutputStream();
        if (page == 0x3f) {
            if (subpage != 0x00 && subpage != 0xff) {
                throw SenseException.invalidCdbField(3, -1);
            }
            for (int p : PAGES) {
                pages.writeBytes(page(lu, p, pc));
            }
        } else {
            if (subpage != 0 || !supported(page)) {
                throw SenseException.invalidCdbField(subpage != 0 ? 3 : 2, subpage != 0 ? -1 : 5);
            }
            pages.writeBytes(page(lu, page, pc));
        }
        BlockDevice dev = lu.device();
        int deviceSpecific = (lu.writeProtected() ? 0x80 : 0) | 0x10; // WP, DPOFUA
        byte[] desc = dbd ? new byte[0] : blockDescriptor(dev, llbaa);
        byte[] body = pages.toByteArray();
        byte[] d;
        if (!ten) {
            d = new byte[4 + desc.length + body.length];
            d[0] = (byte) (d.length - 1);
            d[2] = (byte) deviceSpecific;
            d[3] = (byte) desc.length;
            System.arraycopy(desc, 0, d, 4, desc.length);
            System.arraycopy(body, 0, d, 4 + desc.length, body.length);
        } else {
            d = new byte[8 + desc.length + body.length];
            Bytes.putU16(d, 0, d.length - 2);
            d[3] = (byte) deviceSpecific;
            d[4] = (byte) (llbaa && !dbd ? 1 : 0);
            Bytes.putU16(d, 6, desc.length);
            System.arraycopy(desc, 0, d, 8, desc.length);
            System.arraycopy(body, 0, d, 8 + desc.length, body.length);
        }
        return Task.dataIn(d, alloc);
    }

    private static boolean supported(int page) {
        for (int p : PAGES) {
            if (p == page) {
                return true;
            }
        }
        return false;
    }

    private static byte[] blockDescriptor(BlockDevice dev, boolean longLba) {
        long blocks = dev.blockCount();
        if (longLba) {
            byte[] d = new byte[16];
            Bytes.putU64(d, 0, blocks);
            Bytes.putU32(d, 12, dev.blockSize());
            return d;
        }
        byte[] d = new byte[8];
        Bytes.putU32(d, 0, Math.min(blocks, 0xffffffffL));
        Bytes.putU32(d, 4, dev.blockSize());
        d[4] = 0;
        return d;
    }

    /** One page for page control {@code pc} (0 current, 1 changeable mask, 2 default). */
    static byte[] page(LogicalUnit lu, int page, int pc) {
        boolean cacheChangeable = lu.device().volatileWriteCache();
        return switch (page) {
            case 0x01 -> {
                byte[] p = new byte[12];
                p[0] = 0x01;
                p[1] = 10;
                yield p;
            }
            case 0x08 -> {
                byte[] p = new byte[20];
                p[0] = 0x08;
                p[1] = 18;
                boolean wce = switch (pc) {
                    case 1 -> cacheChangeable;
                    case 2 -> lu.device().volatileWriteCache();
                    default -> lu.writeCacheEnabled();
                };
                p[2] = (byte) (wce ? 0x04 : 0);
                yield p;
            }
            case 0x0a -> {
                byte[] p = new byte[12];
                p[0] = 0x0a;
                p[1] = 10;
                if (pc == 1) {
                    p[4] = 0x08;                      // SWP
                } else {
                    p[3] = 0x10;                      // queue algorithm modifier 1: unrestricted reordering
                    p[4] = (byte) (pc == 0 && lu.softwareWriteProtect() ? 0x08 : 0);
                    p[8] = (byte) 0xff;               // busy timeout: unlimited
                    p[9] = (byte) 0xff;
                }
                yield p;
            }
            case 0x1c -> {
                byte[] p = new byte[12];
                p[0] = 0x1c;
                p[1] = 10;
                if (pc != 1) {
                    p[2] = 0x08;                      // DEXCPT: no informational exception reporting
                }
                yield p;
            }
            default -> throw new IllegalArgumentException("page " + page);
        };
    }

    public static ScsiResponse select6(Task t) throws SenseException {
        t.requireZero(1, 0xee);
        return select(t, false, t.u8(4));
    }

    public static ScsiResponse select10(Task t) throws SenseException {
        t.requireZero(1, 0xee);
        return select(t, true, t.u16(7));
    }

    private static ScsiResponse select(Task t, boolean ten, int length) throws SenseException {
        if (t.bit(1, 0)) {
            throw SenseException.invalidCdbField(1, 0);    // SP: saved pages not supported
        }
        if (length == 0) {
            return ScsiResponse.good();
        }
        LogicalUnit lu = t.lu();
        ByteBuffer p = t.parameterList(length);
        int headerLen = ten ? 8 : 4;
        if (length < headerLen) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        int descLen = ten ? p.getShort(6) & 0xffff : p.get(3) & 0xff;
        int off = headerLen;
        if (off + descLen > length) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (descLen != 0) {
            int blockLenOff = off + descLen - 3;
            int blockLen = ((p.get(blockLenOff) & 0xff) << 16) | ((p.get(blockLenOff + 1) & 0xff) << 8)
                    | (p.get(blockLenOff + 2) & 0xff);
            if (blockLen != lu.device().blockSize()) {
                throw SenseException.invalidParameterField(blockLenOff, -1);
            }
        }
        off += descLen;
        Boolean newWce = null;
        Boolean newSwp = null;
        while (off < length) {
            if (off + 2 > length) {
                throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
            }
            int code = p.get(off) & 0xff;
            if ((code & 0x40) != 0 || !supported(code & 0x3f)) {
                throw SenseException.invalidParameterField(off, -1);
            }
            byte[] current = page(lu, code & 0x3f, 0);
            byte[] mask = page(lu, code & 0x3f, 1);
            int plen = p.get(off + 1) & 0xff;
            if (plen != current[1]) {
                throw SenseException.invalidParameterField(off + 1, -1);
            }
            if (off + 2 + plen > length) {
                throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
            }
            for (int i = 2; i < current.length; i++) {
                int diff = (p.get(off + i) ^ current[i]) & ~mask[i] & 0xff;
                if (diff != 0) {
                    throw SenseException.invalidParameterField(off + i, 31 - Integer.numberOfLeadingZeros(diff));
                }
            }
            switch (code & 0x3f) {
                case 0x08 -> newWce = (p.get(off + 2) & 0x04) != 0;
                case 0x0a -> newSwp = (p.get(off + 4) & 0x08) != 0;
                default -> { }
            }
            off += 2 + plen;
        }
        boolean changed = false;
        if (newWce != null && newWce != lu.writeCacheEnabled()) {
            lu.writeCacheEnabled(newWce);
            changed = true;
        }
        if (newSwp != null && newSwp != lu.softwareWriteProtect()) {
            lu.softwareWriteProtect(newSwp);
            changed = true;
        }
        if (changed) {
            lu.unitAttentions().raise(SenseReason.MODE_PARAMETERS_CHANGED, t.nexus());
        }
        return ScsiResponse.good();
    }
}
