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
 * COMPARE AND WRITE (SBC-3 5.2): atomically compares NUMBER OF LOGICAL BLOCKS blocks with the first
 * half of the data-out buffer and, if equal, writes the second half. Atomic with respect to every
 * other write of the range (they all take the range lock). On a difference nothing is written and
 * the command ends with MISCOMPARE, the INFORMATION field holding the offset of the first differing
 * byte. The data-out buffer must be exactly twice the blocks (else INVALID FIELD IN CDB on NUMBER OF
 * LOGICAL BLOCKS, nothing written). Stateless.
 */
public final class CompareAndWrite {
    private CompareAndWrite() {
    }

    public static ScsiResponse execute(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xe7);     // WRPROTECT, reserved bits; DPO and FUA accepted
        int blocks = t.u8(13);
        BlockLimits lim = ReadWrite.limits(t);
        Extent e = Extent.checked(t, t.u64(2), blocks, lim.maxCompareAndWriteBlocks(), 13);
        LogicalUnit lu = t.lu();
        ReadWrite.checkWritable(lu);
        BlockDevice dev = lu.device();
        int bytes = (int) e.bytes(dev.blockSize());
        t.expectDataOut(2L * bytes);
        if (t.dataOutLength() != 2L * bytes) {
            // The initiator's transfer and NUMBER OF LOGICAL BLOCKS disagree.
            throw SenseException.invalidCdbField(13, -1);
        }
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer data = t.dataOut();
        ByteBuffer verify = data.slice(0, bytes);
        ByteBuffer write = data.slice(bytes, bytes);
        boolean fua = t.bit(1, 3) || !lu.writeCacheEnabled() && dev.volatileWriteCache();
        try (RangeLocks.Range ignored = lu.rangeLocks().lock(e.lba(), e.blocks())) {
            ByteBuffer current = ByteBuffer.allocate(bytes);
            dev.read(e.lba(), current);
            int at = current.flip().mismatch(verify);
            if (at >= 0) {
                throw SenseException.withInformation(SenseReason.MISCOMPARE_DURING_VERIFY, at);
            }
            dev.write(e.lba(), write, fua);
        }
        return ScsiResponse.good();
    }
}
