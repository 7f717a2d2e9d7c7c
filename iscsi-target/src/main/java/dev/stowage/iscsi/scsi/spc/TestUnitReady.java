package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

/** TEST UNIT READY (SPC-4 6.47): unit attentions are reported before dispatch, so reaching here means ready unless the unit was stopped. */
public final class TestUnitReady {
    private TestUnitReady() {
    }

    public static ScsiResponse execute(Task t) throws SenseException {
        if (t.lu().stopped()) {
            throw SenseException.of(SenseReason.NOT_READY_INITIALIZING_COMMAND_REQUIRED);
        }
        return ScsiResponse.good();
    }
}
