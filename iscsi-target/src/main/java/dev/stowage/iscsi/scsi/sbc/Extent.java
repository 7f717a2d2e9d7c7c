package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

/**
 * An LBA range decoded from a CDB, checked once against the capacity before any I/O:
 * {@code lba + blocks} must not pass the end (a zero-length range may start at the capacity).
 */
public record Extent(long lba, long blocks) {

    /** Decodes and range-checks; {@code maxBlocks} < 0 means no transfer-length limit. */
    public static Extent checked(Task t, long lba, long blocks, long maxBlocks, int lengthField) throws SenseException {
        LogicalUnit lu = t.lu();
        long capacity = lu.device().blockCount();
        if (lba < 0 || Long.compareUnsigned(lba, capacity) > 0 || blocks > capacity - lba) {
            throw SenseException.of(SenseReason.LBA_OUT_OF_RANGE);
        }
        if (maxBlocks >= 0 && blocks > maxBlocks) {
            throw SenseException.invalidCdbField(lengthField, -1);
        }
        return new Extent(lba, blocks);
    }

    public long bytes(int blockSize) {
        return blocks * blockSize;
    }
}
