package dev.stowage.iscsi.session;

import dev.stowage.iscsi.scsi.ScsiResponse;

/**
 * The few CHECK CONDITION answers the transport itself gives (before or instead of reaching the
 * SCSI target), as fixed-format sense data. Stateless.
 */
final class TransportSense {
    private TransportSense() {
    }

    /** ILLEGAL REQUEST, INVALID FIELD IN CDB: a write larger than the transport buffers. */
    static ScsiResponse invalidFieldInCdb() {
        return check(0x05, 0x24, 0x00);
    }

    /** ABORTED COMMAND, DATA PHASE ERROR: the write data sequence was broken (DataSN, offsets). */
    static ScsiResponse dataPhaseError() {
        return check(0x0b, 0x4b, 0x00);
    }

    /** HARDWARE ERROR, INTERNAL TARGET FAILURE: the SCSI target threw. */
    static ScsiResponse internalTargetFailure() {
        return check(0x04, 0x44, 0x00);
    }

    static ScsiResponse check(int key, int asc, int ascq) {
        byte[] sense = new byte[18];
        sense[0] = 0x70;
        sense[2] = (byte) key;
        sense[7] = 10;
        sense[12] = (byte) asc;
        sense[13] = (byte) ascq;
        return new ScsiResponse(ScsiResponse.CHECK_CONDITION, null, sense);
    }
}
