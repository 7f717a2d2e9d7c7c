package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.iscsi.scsi.Bytes;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

/**
 * READ CAPACITY(10) and READ CAPACITY(16) (SBC-3 5.15, 5.16). LBPME and LBPRZ are set for thin
 * devices (unmapped blocks read as zeros). Stateless.
 */
public final class Capacity {
    private Capacity() {
    }

    public static ScsiResponse readCapacity10(Task t) throws SenseException {
        t.requireZero(1, 0xff);
        long lba = t.u32(2);
        boolean pmi = t.bit(8, 0);
        if (!pmi && lba != 0) {
            throw SenseException.invalidCdbField(2, -1);
        }
        t.requireZero(8, 0xfe);
        BlockDevice dev = t.lu().device();
        byte[] d = new byte[8];
        Bytes.putU32(d, 0, Math.min(dev.blockCount() - 1, 0xffffffffL));
        Bytes.putU32(d, 4, dev.blockSize());
        return ScsiResponse.good(java.nio.ByteBuffer.wrap(d));
    }

    public static ScsiResponse readCapacity16(Task t) throws SenseException {
        long lba = t.u64(2);
        boolean pmi = t.bit(14, 0);
        if (!pmi && lba != 0) {
            throw SenseException.invalidCdbField(2, -1);
        }
        t.requireZero(14, 0xfe);
        BlockDevice dev = t.lu().device();
        byte[] d = new byte[32];
        Bytes.putU64(d, 0, dev.blockCount() - 1);
        Bytes.putU32(d, 8, dev.blockSize());
        // LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT stays 0: any block can be written, unmapped and
        // reported alone, and GET LBA STATUS answers per logical block (the optimal granularity in
        // the block limits page tells initiators the 4 KiB preference).
        d[13] = 0;
        if (dev.thinProvisioned()) {
            d[14] = (byte) 0xc0;            // LBPME, LBPRZ
        }
        return Task.dataIn(d, (int) Math.min(t.u32(10), Integer.MAX_VALUE));
    }
}
