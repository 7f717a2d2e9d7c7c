package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

/**
 * START STOP UNIT (SBC-3 5.25). The medium is not removable, so LOEJ is an invalid field. START=0
 * flushes the cache (unless NO_FLUSH) and stops the unit: medium access then fails with NOT READY,
 * INITIALIZING COMMAND REQUIRED until START=1. Power conditions other than START_VALID are
 * accepted and change nothing (a virtual disk has no power states). Stateless.
 */
public final class StartStopUnit {
    private StartStopUnit() {
    }

    public static ScsiResponse execute(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xfe);
        t.requireZero(3, 0xf0);
        t.requireZero(4, 0x08);
        if (t.bit(4, 1)) {
            throw SenseException.invalidCdbField(4, 1);
        }
        int powerCondition = t.u8(4) >>> 4;
        if (powerCondition != 0) {
            return ScsiResponse.good();
        }
        LogicalUnit lu = t.lu();
        boolean start = t.bit(4, 0);
        if (!start && !t.bit(4, 2)) {
            lu.device().flush();
        }
        lu.stopped(!start);
        return ScsiResponse.good();
    }
}
