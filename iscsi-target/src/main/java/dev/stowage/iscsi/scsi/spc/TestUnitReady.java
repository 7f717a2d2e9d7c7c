package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

/** TEST UNIT READY (SPC-4 6.47): unit attentions are reported before dispatch, so reaching here means ready. */
public final class TestUnitReady {
    private TestUnitReady() {
    }

    public static ScsiResponse execute(Task t) throws SenseException {
        return ScsiResponse.good();
    }
}
