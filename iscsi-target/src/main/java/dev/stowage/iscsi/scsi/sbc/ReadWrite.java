package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.nio.ByteBuffer;

/**
 * READ and WRITE (6/10/12/16) and WRITE AND VERIFY (10/12/16), SBC-3 5.8-5.35. Protection
 * information is not supported, so a non-zero RDPROTECT/WRPROTECT is an invalid field. DPO is
 * ignored; FUA is passed to the device (and forced when the initiator disabled the write cache).
 * Writes hold the LBA range lock so COMPARE AND WRITE stays atomic. Stateless.
 */
public final class ReadWrite {
    private ReadWrite() {
    }

    /** The LBA/length layout of one CDB size. */
    record Layout(int lbaOffset, int lbaBytes, int lengthOffset, int lengthBytes) {
        static final Layout TEN = new Layout(2, 4, 7, 2);
        static final Layout TWELVE = new Layout(2, 4, 6, 4);
        static final Layout SIXTEEN = new Layout(2, 8, 10, 4);

        long lba(Task t) {
            return lbaBytes == 8 ? t.u64(lbaOffset) : t.u32(lbaOffset);
        }

        long length(Task t) {
            return lengthBytes == 2 ? t.u16(lengthOffset) : t.u32(lengthOffset);
        }
    }

    public static ScsiResponse read6(Task t) throws SenseException, DeviceException {
        long lba = ((t.u8(1) & 0x1f) << 16) | t.u16(2);
        int len = t.u8(4) == 0 ? 256 : t.u8(4);
        return read(t, Extent.checked(t, lba, len, limits(t).maxTransferBlocks(), 4));
    }

    public static ScsiResponse read10(Task t) throws SenseException, DeviceException {
        return read(t, Layout.TEN);
    }

    public static ScsiResponse read12(Task t) throws SenseException, DeviceException {
        return read(t, Layout.TWELVE);
    }

    public static ScsiResponse read16(Task t) throws SenseException, DeviceException {
        return read(t, Layout.SIXTEEN);
    }

    private static ScsiResponse read(Task t, Layout l) throws SenseException, DeviceException {
        t.requireZero(1, 0xe0);     // RDPROTECT: no protection information
        Extent e = Extent.checked(t, l.lba(t), l.length(t), limits(t).maxTransferBlocks(), l.lengthOffset());
        return read(t, e);
    }

    private static ScsiResponse read(Task t, Extent e) throws DeviceException {
        BlockDevice dev = t.lu().device();
        if (e.blocks() == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer buf = ByteBuffer.allocate((int) e.bytes(dev.blockSize()));
        dev.read(e.lba(), buf);
        return ScsiResponse.good(buf.flip());
    }

    public static ScsiResponse write6(Task t) throws SenseException, DeviceException {
        long lba = ((t.u8(1) & 0x1f) << 16) | t.u16(2);
        int len = t.u8(4) == 0 ? 256 : t.u8(4);
        write(t, Extent.checked(t, lba, len, limits(t).maxTransferBlocks(), 4), false);
        return ScsiResponse.good();
    }

    public static ScsiResponse write10(Task t) throws SenseException, DeviceException {
        return write(t, Layout.TEN);
    }

    public static ScsiResponse write12(Task t) throws SenseException, DeviceException {
        return write(t, Layout.TWELVE);
    }

    public static ScsiResponse write16(Task t) throws SenseException, DeviceException {
        return write(t, Layout.SIXTEEN);
    }

    private static ScsiResponse write(Task t, Layout l) throws SenseException, DeviceException {
        t.requireZero(1, 0xe0);     // WRPROTECT
        Extent e = Extent.checked(t, l.lba(t), l.length(t), limits(t).maxTransferBlocks(), l.lengthOffset());
        write(t, e, t.bit(1, 3));
        return ScsiResponse.good();
    }

    /** WRITE AND VERIFY: the write is made durable and read back before GOOD (BYTCHK 0: medium verification). */
    public static ScsiResponse writeVerify10(Task t) throws SenseException, DeviceException {
        return writeVerify(t, Layout.TEN);
    }

    public static ScsiResponse writeVerify12(Task t) throws SenseException, DeviceException {
        return writeVerify(t, Layout.TWELVE);
    }

    public static ScsiResponse writeVerify16(Task t) throws SenseException, DeviceException {
        return writeVerify(t, Layout.SIXTEEN);
    }

    private static ScsiResponse writeVerify(Task t, Layout l) throws SenseException, DeviceException {
        t.requireZero(1, 0xe0);     // WRPROTECT
        t.requireZero(1, 0x0d);     // reserved bits 2-3, obsolete bit 0 (BYTCHK, bit 1, is accepted)
        Extent e = Extent.checked(t, l.lba(t), l.length(t), limits(t).maxTransferBlocks(), l.lengthOffset());
        BlockDevice dev = t.lu().device();
        ByteBuffer written = write(t, e, true);
        if (written.hasRemaining()) {
            ByteBuffer back = ByteBuffer.allocate(written.remaining());
            dev.read(e.lba(), back);
            int mismatch = back.flip().mismatch(written);
            if (mismatch >= 0) {
                throw SenseException.withInformation(SenseReason.MISCOMPARE_DURING_VERIFY, mismatch);
            }
        }
        return ScsiResponse.good();
    }

    /**
     * Writes the data for {@code e} under the range lock; returns a view of what was written
     * (shorter than the extent when the initiator sent less, see {@link Task#writeData}).
     */
    static ByteBuffer write(Task t, Extent e, boolean fua) throws SenseException, DeviceException {
        LogicalUnit lu = t.lu();
        checkWritable(lu);
        BlockDevice dev = lu.device();
        int bs = dev.blockSize();
        ByteBuffer data = t.writeData(e.bytes(bs), bs);
        if (!data.hasRemaining()) {
            return data;
        }
        try (RangeLocks.Range ignored = lu.rangeLocks().lock(e.lba(), data.remaining() / bs)) {
            dev.write(e.lba(), data.duplicate(), fua || !lu.writeCacheEnabled() && dev.volatileWriteCache());
        }
        return data;
    }

    static void checkWritable(LogicalUnit lu) throws SenseException {
        if (lu.writeProtected()) {
            throw SenseException.of(SenseReason.WRITE_PROTECTED);
        }
    }

    static BlockLimits limits(Task t) {
        return BlockLimits.of(t.lu().device());
    }
}
