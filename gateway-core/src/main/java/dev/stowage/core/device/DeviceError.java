package dev.stowage.core.device;

/**
 * Why a device operation failed, in terms every front end can map to its wire code
 * (SCSI sense key/ASC/ASCQ, NFS status) in one table.
 */
public enum DeviceError {
    /** Address or length past the end of the device or medium. */
    LBA_OUT_OF_RANGE,
    /** A buffer length or argument the device cannot take (not a whole number of blocks, bad pattern). */
    INVALID_ARGUMENT,
    /** Data could not be read back correctly (checksum mismatch, corrupted or missing object). */
    MEDIUM_ERROR_READ,
    /** Data could not be written to stable storage (local disk I/O error). */
    MEDIUM_ERROR_WRITE,
    /** The device or medium refuses writes (read-only volume, WORM tape, retrieved tape). */
    WRITE_PROTECTED,
    /** The device cannot serve I/O right now (not started, closed, being recovered); retry later. */
    NOT_READY,
    /** No medium loaded (tape drive without a cartridge). */
    NO_MEDIUM,
    /** Tape: a filemark was met while reading. */
    FILEMARK,
    /** Tape: end of recorded data was met. */
    END_OF_DATA,
    /** Tape: the physical end of the medium was reached; nothing more fits. */
    END_OF_MEDIUM,
    /** Changer: the source element is empty or the destination element is full. */
    ELEMENT_CONFLICT,
    /** Changer or drive: the element address does not exist. */
    INVALID_ELEMENT,
    /** An internal failure (a bug or an unexpected exception); details are in the log. */
    INTERNAL
}
