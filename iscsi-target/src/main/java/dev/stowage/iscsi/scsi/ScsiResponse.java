package dev.stowage.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of a command.
 *
 * @param status SAM status byte (GOOD 0x00, CHECK CONDITION 0x02, CONDITION MET 0x04, BUSY 0x08,
 *               RESERVATION CONFLICT 0x18, TASK SET FULL 0x28, TASK ABORTED 0x40)
 * @param dataIn data for the initiator (position..limit), possibly longer than it asked for: the
 *               transport sends at most ExpectedDataTransferLength and reports the residual; null when none
 * @param sense  fixed-format sense data for CHECK CONDITION, else null
 * @param dataOutExpected bytes of data-out the CDB called for (for write residuals: the transport
 *               compares it with ExpectedDataTransferLength), or -1 when unknown or not a data-out command
 */
public record ScsiResponse(int status, ByteBuffer dataIn, byte[] sense, long dataOutExpected) {
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int CONDITION_MET = 0x04;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int TASK_ABORTED = 0x40;

    /** A response without data-out accounting. */
    public ScsiResponse(int status, ByteBuffer dataIn, byte[] sense) {
        this(status, dataIn, sense, -1);
    }

    /** This response with {@link #dataOutExpected} set. */
    public ScsiResponse withDataOutExpected(long bytes) {
        return new ScsiResponse(status, dataIn, sense, bytes);
    }

    public static ScsiResponse good() {
        return new ScsiResponse(GOOD, null, null);
    }

    public static ScsiResponse good(ByteBuffer dataIn) {
        return new ScsiResponse(GOOD, dataIn, null);
    }
}
