package dev.stowage.iscsi.scsi.sense;

import java.util.Objects;

/**
 * A command ends with CHECK CONDITION for {@link #reason()}. Optionally carries the INFORMATION
 * field (e.g. the offset of a miscompare) and a sense-key-specific field pointer to the offending
 * CDB or parameter-list byte. Thrown by command handlers and turned into sense data in one place.
 */
public final class SenseException extends Exception {
    private final SenseReason reason;
    private final Long information;
    private final int fieldPointer;
    private final int bitPointer;
    private final boolean inCdb;

    private SenseException(SenseReason reason, Long information, int fieldPointer, int bitPointer, boolean inCdb,
                           String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.information = information;
        this.fieldPointer = fieldPointer;
        this.bitPointer = bitPointer;
        this.inCdb = inCdb;
    }

    public static SenseException of(SenseReason reason) {
        return new SenseException(reason, null, -1, -1, false, reason.name());
    }

    /** INVALID FIELD IN CDB pointing at {@code byteOffset} (and {@code bit}, or -1 for the whole byte). */
    public static SenseException invalidCdbField(int byteOffset, int bit) {
        return new SenseException(SenseReason.INVALID_FIELD_IN_CDB, null, byteOffset, bit, true,
                "invalid field in CDB byte " + byteOffset + (bit >= 0 ? " bit " + bit : ""));
    }

    /** INVALID FIELD IN PARAMETER LIST pointing at {@code byteOffset} of the data-out buffer. */
    public static SenseException invalidParameterField(int byteOffset, int bit) {
        return new SenseException(SenseReason.INVALID_FIELD_IN_PARAMETER_LIST, null, byteOffset, bit, false,
                "invalid field in parameter list byte " + byteOffset + (bit >= 0 ? " bit " + bit : ""));
    }

    /** {@code reason} with the INFORMATION field set (VALID bit on). */
    public static SenseException withInformation(SenseReason reason, long information) {
        return new SenseException(reason, information, -1, -1, false, reason.name() + " at " + information);
    }

    public SenseReason reason() {
        return reason;
    }

    /** The INFORMATION field, or null when not valid. */
    public Long information() {
        return information;
    }

    /** The sense data for this condition. */
    public byte[] senseData() {
        return SenseData.fixed(reason, information, fieldPointer, bitPointer, inCdb);
    }
}
