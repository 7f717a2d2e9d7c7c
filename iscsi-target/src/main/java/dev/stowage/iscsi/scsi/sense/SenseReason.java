package dev.stowage.iscsi.scsi.sense;

import dev.stowage.core.device.DeviceError;

/**
 * Every reason a SCSI command can fail or report a condition, mapped to its sense key, additional
 * sense code (ASC) and qualifier (ASCQ). This is the one table: handlers throw a reason, never raw
 * codes, and {@link #of(DeviceError)} translates device failures here and nowhere else.
 */
public enum SenseReason {
    // NOT READY (2)
    NOT_READY_CAUSE_NOT_REPORTABLE(0x2, 0x04, 0x00),
    NOT_READY_INITIALIZING_COMMAND_REQUIRED(0x2, 0x04, 0x02),
    MEDIUM_NOT_PRESENT(0x2, 0x3a, 0x00),
    // MEDIUM ERROR (3)
    UNRECOVERED_READ_ERROR(0x3, 0x11, 0x00),
    WRITE_ERROR(0x3, 0x0c, 0x00),
    // HARDWARE ERROR (4)
    INTERNAL_TARGET_FAILURE(0x4, 0x44, 0x00),
    // ILLEGAL REQUEST (5)
    PARAMETER_LIST_LENGTH_ERROR(0x5, 0x1a, 0x00),
    INVALID_FIELD_IN_INFORMATION_UNIT(0x5, 0x0e, 0x03),
    INVALID_COMMAND_OPERATION_CODE(0x5, 0x20, 0x00),
    LBA_OUT_OF_RANGE(0x5, 0x21, 0x00),
    INVALID_FIELD_IN_CDB(0x5, 0x24, 0x00),
    LOGICAL_UNIT_NOT_SUPPORTED(0x5, 0x25, 0x00),
    INVALID_FIELD_IN_PARAMETER_LIST(0x5, 0x26, 0x00),
    INVALID_RELEASE_OF_PERSISTENT_RESERVATION(0x5, 0x26, 0x04),
    TOO_MANY_TARGET_DESCRIPTORS(0x5, 0x26, 0x06),
    UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE(0x5, 0x26, 0x07),
    TOO_MANY_SEGMENT_DESCRIPTORS(0x5, 0x26, 0x08),
    UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE(0x5, 0x26, 0x09),
    SAVING_PARAMETERS_NOT_SUPPORTED(0x5, 0x39, 0x00),
    MEDIUM_REMOVAL_PREVENTED(0x5, 0x53, 0x02),
    INSUFFICIENT_REGISTRATION_RESOURCES(0x5, 0x55, 0x04),
    // UNIT ATTENTION (6)
    POWER_ON_RESET_OCCURRED(0x6, 0x29, 0x00),
    BUS_DEVICE_RESET_OCCURRED(0x6, 0x29, 0x03),
    I_T_NEXUS_LOSS_OCCURRED(0x6, 0x29, 0x07),
    MODE_PARAMETERS_CHANGED(0x6, 0x2a, 0x01),
    RESERVATIONS_PREEMPTED(0x6, 0x2a, 0x03),
    RESERVATIONS_RELEASED(0x6, 0x2a, 0x04),
    REGISTRATIONS_PREEMPTED(0x6, 0x2a, 0x05),
    CAPACITY_DATA_HAS_CHANGED(0x6, 0x2a, 0x09),
    COMMANDS_CLEARED_BY_ANOTHER_INITIATOR(0x6, 0x2f, 0x00),
    REPORTED_LUNS_DATA_HAS_CHANGED(0x6, 0x3f, 0x0e),
    // DATA PROTECT (7)
    WRITE_PROTECTED(0x7, 0x27, 0x00),
    // COPY ABORTED (0xa)
    COPY_ABORTED(0xa, 0x00, 0x00),
    UNREACHABLE_COPY_TARGET(0xa, 0x08, 0x04),
    // ABORTED COMMAND (0xb)
    COMMAND_ABORTED(0xb, 0x00, 0x00),
    // MISCOMPARE (0xe)
    MISCOMPARE_DURING_VERIFY(0xe, 0x1d, 0x00);

    public static final int KEY_NO_SENSE = 0x0;
    public static final int KEY_NOT_READY = 0x2;
    public static final int KEY_MEDIUM_ERROR = 0x3;
    public static final int KEY_HARDWARE_ERROR = 0x4;
    public static final int KEY_ILLEGAL_REQUEST = 0x5;
    public static final int KEY_UNIT_ATTENTION = 0x6;
    public static final int KEY_DATA_PROTECT = 0x7;
    public static final int KEY_COPY_ABORTED = 0xa;
    public static final int KEY_ABORTED_COMMAND = 0xb;
    public static final int KEY_MISCOMPARE = 0xe;

    private final int key;
    private final int asc;
    private final int ascq;

    SenseReason(int key, int asc, int ascq) {
        this.key = key;
        this.asc = asc;
        this.ascq = ascq;
    }

    public int key() {
        return key;
    }

    public int asc() {
        return asc;
    }

    public int ascq() {
        return ascq;
    }

    /** The sense reason a block or media device failure is reported with. */
    public static SenseReason of(DeviceError error) {
        return switch (error) {
            case LBA_OUT_OF_RANGE -> LBA_OUT_OF_RANGE;
            case INVALID_ARGUMENT -> INVALID_FIELD_IN_CDB;
            case MEDIUM_ERROR_READ -> UNRECOVERED_READ_ERROR;
            case MEDIUM_ERROR_WRITE -> WRITE_ERROR;
            case WRITE_PROTECTED -> WRITE_PROTECTED;
            case NOT_READY -> NOT_READY_CAUSE_NOT_REPORTABLE;
            case NO_MEDIUM -> MEDIUM_NOT_PRESENT;
            // Tape and changer conditions reach disks only through a bug; tape command sets map them
            // with their own positional sense (filemark, EOM bits) before falling back here.
            case FILEMARK, END_OF_DATA, END_OF_MEDIUM, ELEMENT_CONFLICT, INVALID_ELEMENT, INTERNAL ->
                    INTERNAL_TARGET_FAILURE;
        };
    }
}
