package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

/**
 * RESERVE(6)/RELEASE(6) and RESERVE(10)/RELEASE(10) (SPC-2 7.21-7.24): whole-unit reservations
 * for one nexus, released by RELEASE from the holder, a reset or the holder's logout. Third-party
 * and extent reservations are refused as invalid fields. Stateless; state lives in Reservations.
 */
public final class LegacyReservations {
    private LegacyReservations() {
    }

    public static ScsiResponse reserve6(Task t) throws SenseException {
        t.requireZero(1, 0xff);
        return reserve(t);
    }

    public static ScsiResponse reserve10(Task t) throws SenseException {
        t.requireZero(1, 0xff);
        return reserve(t);
    }

    private static ScsiResponse reserve(Task t) {
        if (!t.lu().reservations().reserveLegacy(t.nexus())) {
            return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
        }
        return ScsiResponse.good();
    }

    public static ScsiResponse release6(Task t) throws SenseException {
        t.requireZero(1, 0xff);
        return release(t);
    }

    public static ScsiResponse release10(Task t) throws SenseException {
        t.requireZero(1, 0xff);
        return release(t);
    }

    private static ScsiResponse release(Task t) {
        if (!t.lu().reservations().releaseLegacy(t.nexus())) {
            return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
        }
        return ScsiResponse.good();
    }
}
