package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.Bytes;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Logical block provisioning: UNMAP, WRITE SAME (10/16) and GET LBA STATUS (SBC-3 5.25, 5.41-5.43,
 * 5.5). Anchored blocks are not supported (ANCHOR is an invalid field). Every descriptor of an
 * UNMAP is checked before any block is unmapped. WRITE SAME with UNMAP set deallocates on a thin
 * unit whatever the pattern (as LIO and tgt do; LBPRZ tells the initiator the blocks read as zero).
 * Stateless.
 */
public final class Provisioning {
    /** How far GET LBA STATUS looks ahead for one answer, in blocks. */
    private static final long LBA_STATUS_SCAN_LIMIT = 1 << 16;

    private Provisioning() {
    }

    public static ScsiResponse unmap(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xff);     // ANCHOR unsupported
        int length = t.u16(7);
        if (length == 0) {
            return ScsiResponse.good();
        }
        if (length < 8) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        LogicalUnit lu = t.lu();
        ReadWrite.checkWritable(lu);
        BlockDevice dev = lu.device();
        BlockLimits lim = BlockLimits.of(dev);
        ByteBuffer p = t.parameterList(length);
        int descLen = Math.min(p.getShort(2) & 0xffff, length - 8) & ~15;
        int count = descLen / 16;
        if (count > lim.maxUnmapDescriptors()) {
            throw SenseException.invalidParameterField(2, -1);
        }
        long capacity = dev.blockCount();
        List<Extent> extents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int off = 8 + 16 * i;
            long lba = p.getLong(off);
            long blocks = p.getInt(off + 8) & 0xffffffffL;
            if (lba < 0 || Long.compareUnsigned(lba, capacity) > 0 || blocks > capacity - lba) {
                throw SenseException.of(SenseReason.LBA_OUT_OF_RANGE);
            }
            if (blocks > lim.maxUnmapBlocks()) {
                throw SenseException.invalidParameterField(off + 8, -1);
            }
            extents.add(new Extent(lba, blocks));
        }
        for (Extent e : extents) {
            if (e.blocks() > 0) {
                try (RangeLocks.Range ignored = lu.rangeLocks().lock(e.lba(), e.blocks())) {
                    dev.unmap(e.lba(), e.blocks());
                }
            }
        }
        return ScsiResponse.good();
    }

    public static ScsiResponse writeSame10(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xf7);     // WRPROTECT, ANCHOR, obsolete PBDATA/LBDATA, reserved; UNMAP accepted
        return writeSame(t, t.u32(2), t.u16(7), 7, false);
    }

    public static ScsiResponse writeSame16(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xf6);     // as above; NDOB (bit 0) accepted
        return writeSame(t, t.u64(2), t.u32(10), 10, t.bit(1, 0));
    }

    private static ScsiResponse writeSame(Task t, long lba, long blocks, int lengthField, boolean ndob)
            throws SenseException, DeviceException {
        LogicalUnit lu = t.lu();
        BlockDevice dev = lu.device();
        BlockLimits lim = BlockLimits.of(dev);
        boolean unmap = t.bit(1, 3);
        if (blocks == 0) {
            // WSNZ = 0: zero blocks means from lba to the end of the medium.
            long capacity = dev.blockCount();
            if (lba < 0 || Long.compareUnsigned(lba, capacity) > 0) {
                throw SenseException.of(SenseReason.LBA_OUT_OF_RANGE);
            }
            blocks = capacity - lba;
        }
        Extent e = Extent.checked(t, lba, blocks, lim.maxWriteSameBlocks(), lengthField);
        ReadWrite.checkWritable(lu);
        ByteBuffer pattern = ndob ? ByteBuffer.allocate(dev.blockSize()) : t.exactData(dev.blockSize());
        if (e.blocks() == 0) {
            return ScsiResponse.good();
        }
        try (RangeLocks.Range ignored = lu.rangeLocks().lock(e.lba(), e.blocks())) {
            if (unmap && dev.thinProvisioned()) {
                // UNMAP requested on a thin unit: deallocate; reads then return zeros (LBPRZ=1).
                dev.unmap(e.lba(), e.blocks());
            } else {
                dev.writeSame(e.lba(), e.blocks(), pattern, unmap);
            }
            if (!lu.writeCacheEnabled() && dev.volatileWriteCache()) {
                dev.flush();
            }
        }
        return ScsiResponse.good();
    }

    public static ScsiResponse getLbaStatus(Task t) throws SenseException, DeviceException {
        long lba = t.u64(2);
        int alloc = (int) Math.min(t.u32(10), Integer.MAX_VALUE);
        BlockDevice dev = t.lu().device();
        long capacity = dev.blockCount();
        if (lba < 0 || lba >= capacity) {
            throw SenseException.of(SenseReason.LBA_OUT_OF_RANGE);
        }
        if (alloc < 24 && alloc != 0 && alloc < 8) {
            // Too short for even the header: return what fits.
            return Task.dataIn(new byte[8], alloc);
        }
        int maxDescriptors = Math.max(1, (alloc - 8) / 16);
        List<long[]> descs = new ArrayList<>();
        long end = Math.min(capacity, lba + LBA_STATUS_SCAN_LIMIT);
        long pos = lba;
        while (pos < end && descs.size() < maxDescriptors) {
            boolean mapped = dev.isMapped(pos);
            long start = pos;
            pos++;
            while (pos < end && dev.isMapped(pos) == mapped) {
                pos++;
            }
            descs.add(new long[] {start, pos - start, mapped ? 0 : 1});
        }
        byte[] d = new byte[8 + 16 * descs.size()];
        Bytes.putU32(d, 0, d.length - 4);
        for (int i = 0; i < descs.size(); i++) {
            long[] x = descs.get(i);
            int off = 8 + 16 * i;
            Bytes.putU64(d, off, x[0]);
            Bytes.putU32(d, off + 8, x[1]);
            d[off + 12] = (byte) x[2];
        }
        return Task.dataIn(d, alloc);
    }
}
