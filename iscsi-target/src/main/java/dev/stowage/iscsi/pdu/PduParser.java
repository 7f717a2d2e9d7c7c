package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Turns a framed PDU (header, AHS, data segment) into its typed record. Undefined opcodes become
 * {@link UnknownPdu}. Stateless and thread-safe.
 */
public final class PduParser {
    private PduParser() {
    }

    /**
     * @param bhs  the 48-byte basic header segment (absolute indexes 0..47)
     * @param ahs  additional header segments, possibly empty
     * @param data the data segment without padding; the record keeps a reference to it
     */
    public static Pdu parse(ByteBuffer bhs, ByteBuffer ahs, ByteBuffer data) throws PduFormatException {
        Opcode op = Opcode.of(Bhs.opcode(bhs));
        if (op == null) {
            return unknown(bhs, data);
        }
        return switch (op) {
            case NOP_OUT -> NopOut.decode(bhs, data);
            case SCSI_COMMAND -> ScsiCommandPdu.decode(bhs, ahs, data);
            case TASK_MGMT_REQUEST -> TaskMgmtRequest.decode(bhs);
            case LOGIN_REQUEST -> LoginRequest.decode(bhs, data);
            case TEXT_REQUEST -> TextRequest.decode(bhs, data);
            case DATA_OUT -> DataOut.decode(bhs, data);
            case LOGOUT_REQUEST -> LogoutRequest.decode(bhs);
            case SNACK_REQUEST -> SnackRequest.decode(bhs);
            case NOP_IN -> NopIn.decode(bhs, data);
            case SCSI_RESPONSE -> ScsiResponsePdu.decode(bhs, data);
            case TASK_MGMT_RESPONSE -> TaskMgmtResponse.decode(bhs);
            case LOGIN_RESPONSE -> LoginResponse.decode(bhs, data);
            case TEXT_RESPONSE -> TextResponse.decode(bhs, data);
            case DATA_IN -> DataIn.decode(bhs, data);
            case LOGOUT_RESPONSE -> LogoutResponse.decode(bhs);
            case R2T -> R2t.decode(bhs);
            case ASYNC_MESSAGE -> AsyncMessage.decode(bhs, data);
            case REJECT -> Reject.decode(bhs, data);
        };
    }

    private static UnknownPdu unknown(ByteBuffer bhs, ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(Bhs.SIZE);
        copy.put(0, bhs, 0, Bhs.SIZE);
        return new UnknownPdu(Bhs.opcode(bhs), copy, data);
    }
}
