package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

import java.nio.ByteBuffer;

/**
 * ORWRITE(16) (SBC-3 5.14): each block becomes (medium OR data-out), read-modify-write under the
 * range lock so it is atomic with respect to every other write. ORPROTECT must be 0. Stateless.
 */
public final class OrWrite {
    private OrWrite() {
    }

    public static ScsiResponse orWrite16(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xe7);     // ORPROTECT, reserved; DPO and FUA accepted
        Extent e = Extent.checked(t, t.u64(2), t.u32(10), ReadWrite.limits(t).maxTransferBlocks(), 10);
        LogicalUnit lu = t.lu();
        ReadWrite.checkWritable(lu);
        BlockDevice dev = lu.device();
        int bs = dev.blockSize();
        ByteBuffer data = t.writeData(e.bytes(bs), bs);
        if (!data.hasRemaining()) {
            return ScsiResponse.good();
        }
        boolean fua = t.bit(1, 3) || !lu.writeCacheEnabled() && dev.volatileWriteCache();
        try (RangeLocks.Range ignored = lu.rangeLocks().lock(e.lba(), data.remaining() / bs)) {
            ByteBuffer merged = ByteBuffer.allocate(data.remaining());
            dev.read(e.lba(), merged);
            for (int i = 0; i < merged.capacity(); i++) {
                merged.put(i, (byte) (merged.get(i) | data.get(data.position() + i)));
            }
            dev.write(e.lba(), merged.clear(), fua);
        }
        return ScsiResponse.good();
    }
}
