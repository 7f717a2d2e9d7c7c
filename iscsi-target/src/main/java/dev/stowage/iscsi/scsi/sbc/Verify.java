package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.nio.ByteBuffer;

/**
 * VERIFY (10/12/16), SBC-3 5.30-5.32. BYTCHK 00: the blocks are read back (medium errors surface);
 * 01: the data-out buffer is compared with the medium; 11: one block of data-out is compared with
 * every block. A difference is MISCOMPARE with the byte offset into the data-out buffer in the
 * INFORMATION field. VRPROTECT must be 0 (no protection information). Stateless.
 */
public final class Verify {
    private Verify() {
    }

    public static ScsiResponse verify10(Task t) throws SenseException, DeviceException {
        return verify(t, ReadWrite.Layout.TEN);
    }

    public static ScsiResponse verify12(Task t) throws SenseException, DeviceException {
        return verify(t, ReadWrite.Layout.TWELVE);
    }

    public static ScsiResponse verify16(Task t) throws SenseException, DeviceException {
        return verify(t, ReadWrite.Layout.SIXTEEN);
    }

    private static ScsiResponse verify(Task t, ReadWrite.Layout l) throws SenseException, DeviceException {
        t.requireZero(1, 0xe9);     // VRPROTECT, reserved bit 3, obsolete bit 0
        int bytchk = (t.u8(1) >>> 1) & 0x3;
        if (bytchk == 2) {
            throw SenseException.invalidCdbField(1, 2);
        }
        Extent e = Extent.checked(t, l.lba(t), l.length(t), ReadWrite.limits(t).maxTransferBlocks(), l.lengthOffset());
        BlockDevice dev = t.lu().device();
        int bs = dev.blockSize();
        if (e.blocks() == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer expected = switch (bytchk) {
            case 1 -> t.leastData(e.bytes(bs));
            case 3 -> t.leastData(bs);
            default -> null;
        };
        ByteBuffer medium = ByteBuffer.allocate((int) e.bytes(bs));
        dev.read(e.lba(), medium);
        medium.flip();
        if (expected == null) {
            return ScsiResponse.good();
        }
        if (bytchk == 1) {
            int at = medium.mismatch(expected);
            if (at >= 0) {
                throw SenseException.withInformation(SenseReason.MISCOMPARE_DURING_VERIFY, at);
            }
        } else {
            for (long b = 0; b < e.blocks(); b++) {
                ByteBuffer block = medium.slice((int) (b * bs), bs);
                int at = block.mismatch(expected.duplicate());
                if (at >= 0) {
                    throw SenseException.withInformation(SenseReason.MISCOMPARE_DURING_VERIFY, at);
                }
            }
        }
        return ScsiResponse.good();
    }
}
