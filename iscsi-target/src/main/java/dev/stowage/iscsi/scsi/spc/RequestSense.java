package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseData;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

/**
 * REQUEST SENSE (SPC-4 6.39). Sense is returned with CHECK CONDITION (autosense), so this reports
 * a pending unit attention (and clears it) or NO SENSE. Only fixed format is produced; DESC=1 is
 * refused with INVALID FIELD IN CDB.
 */
public final class RequestSense {
    private RequestSense() {
    }

    public static ScsiResponse execute(Task t) throws SenseException {
        t.requireZero(1, 0xff);
        SenseReason ua = t.lu().unitAttentions().poll(t.nexus());
        byte[] sense = ua != null ? SenseData.fixed(ua) : SenseData.noSense();
        return Task.dataIn(sense, t.u8(4));
    }
}
