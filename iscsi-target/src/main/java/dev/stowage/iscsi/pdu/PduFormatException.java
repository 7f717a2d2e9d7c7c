package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * A PDU that cannot be decoded. {@link #fatal()} errors leave the byte stream without framing
 * (the connection must be dropped); the others concern one well-framed PDU, which the target
 * answers with a Reject carrying {@link #header()}.
 */
public final class PduFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** DataSegmentLength above the negotiated MaxRecvDataSegmentLength (fatal). */
        DATA_SEGMENT_TOO_LONG(true),
        /** Header digest mismatch: the lengths cannot be trusted (fatal). */
        HEADER_DIGEST(true),
        /** Data digest mismatch (the PDU is discarded, Reject reason 0x02). */
        DATA_DIGEST(false),
        /** A field holds a value the protocol forbids (Reject reason 0x09). */
        INVALID_FIELD(false);

        private final boolean fatal;

        Kind(boolean fatal) {
            this.fatal = fatal;
        }
    }

    private final Kind kind;
    private final transient ByteBuffer header;

    public PduFormatException(Kind kind, String message) {
        this(kind, message, null);
    }

    public PduFormatException(Kind kind, String message, ByteBuffer header) {
        super(message);
        this.kind = kind;
        this.header = header;
    }

    public Kind kind() {
        return kind;
    }

    public boolean fatal() {
        return kind.fatal;
    }

    /** A copy of the offending basic header segment, or null when not known. */
    public ByteBuffer header() {
        return header == null ? null : header.duplicate();
    }

    /** The same error with the offending header attached. */
    PduFormatException withHeader(ByteBuffer bhs) {
        return new PduFormatException(kind, getMessage(), bhs);
    }
}
