package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * One iSCSI PDU as a typed, immutable record (RFC 7143 section 11). Every record can write its
 * own basic header segment, so the same codec serves the target and the test initiator.
 *
 * <p>The data segment is a {@link ByteBuffer} view (position..limit, no padding). Records do not
 * copy it: a decoded PDU's data may live in a buffer the decoder reuses for the next PDU, so
 * whoever keeps data beyond the handling of one PDU copies it.
 */
public sealed interface Pdu permits NopOut, ScsiCommandPdu, TaskMgmtRequest, LoginRequest, TextRequest, DataOut,
        LogoutRequest, SnackRequest, NopIn, ScsiResponsePdu, TaskMgmtResponse, LoginResponse, TextResponse, DataIn,
        LogoutResponse, R2t, AsyncMessage, Reject, UnknownPdu {

    /** An empty data segment. */
    ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** The opcode; null only for {@link UnknownPdu}. */
    Opcode opcode();

    /** The initiator task tag (0xffffffff where the PDU has none). */
    int initiatorTaskTag();

    /** The data segment, never null. */
    default ByteBuffer data() {
        return EMPTY;
    }

    /** Additional header segments (whole 4-byte words, each with its own type/length), never null. */
    default ByteBuffer ahs() {
        return EMPTY;
    }

    /**
     * Writes bytes 0..47 of the basic header except TotalAHSLength and DataSegmentLength (the
     * encoder fills those from {@link #ahs()} and {@link #data()}). {@code bhs} is zeroed.
     */
    void writeHeader(ByteBuffer bhs);

    /** Writes byte 0 (I bit and opcode) and byte 1 (flags). */
    static void start(ByteBuffer bhs, Opcode opcode, boolean immediate, int flags) {
        bhs.put(0, (byte) ((immediate ? 0x40 : 0) | opcode.code()));
        bhs.put(1, (byte) flags);
    }

    /** Null-safe data segment. */
    static ByteBuffer orEmpty(ByteBuffer data) {
        return data == null ? EMPTY : data;
    }
}
