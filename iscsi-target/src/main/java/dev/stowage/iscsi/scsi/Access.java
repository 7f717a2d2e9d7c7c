package dev.stowage.iscsi.scsi;

/**
 * How a command touches the logical unit, which decides whether a reservation held through
 * another nexus makes it fail with RESERVATION CONFLICT (SPC-4 5.13.1 table 53 for persistent
 * reservations, SPC-2 5.5.1 for RESERVE(6)).
 */
public enum Access {
    /** Allowed under every reservation (INQUIRY, REPORT LUNS, REQUEST SENSE, PERSISTENT RESERVE IN, RELEASE(6)). */
    ALLOWED,
    /** Allowed under persistent reservations, conflicts with a RESERVE(6) of another nexus (TEST UNIT READY, READ CAPACITY, MODE SENSE, PERSISTENT RESERVE OUT). */
    STATUS,
    /** Reads the medium: conflicts with exclusive-access reservations and RESERVE(6). */
    READ,
    /** Changes the medium or its state: conflicts with every reservation the nexus may not write under. */
    WRITE
}
