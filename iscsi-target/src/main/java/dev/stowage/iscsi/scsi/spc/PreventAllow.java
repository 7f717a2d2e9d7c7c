package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

/**
 * PREVENT ALLOW MEDIUM REMOVAL (SBC-3 5.13). Records the per-nexus prevention; cleared by ALLOW,
 * the nexus' logout or a reset. The disk medium is not removable, so nothing else depends on it.
 */
public final class PreventAllow {
    private PreventAllow() {
    }

    public static ScsiResponse execute(Task t) throws SenseException {
        t.requireZero(4, 0xfc);
        int prevent = t.u8(4) & 0x03;
        if (prevent == 0) {
            t.lu().preventRemoval().remove(t.nexus());
        } else if (prevent == 1) {
            t.lu().preventRemoval().add(t.nexus());
        } else {
            throw SenseException.invalidCdbField(4, 1);
        }
        return ScsiResponse.good();
    }
}
