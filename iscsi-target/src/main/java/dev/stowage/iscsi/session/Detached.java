package dev.stowage.iscsi.session;

import dev.stowage.iscsi.pdu.NopOut;
import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.ScsiCommandPdu;
import dev.stowage.iscsi.pdu.TextRequest;

import java.nio.ByteBuffer;

/** Copies a PDU's data segment out of the decoder's reused buffer. Stateless. */
final class Detached {
    private Detached() {
    }

    static Pdu copy(Pdu pdu) {
        if (pdu.data().remaining() == 0) {
            return pdu;
        }
        ByteBuffer data = ByteBuffer.allocate(pdu.data().remaining());
        data.put(pdu.data().duplicate()).flip();
        return switch (pdu) {
            case ScsiCommandPdu c -> new ScsiCommandPdu(c.immediate(), c.finalFlag(), c.read(), c.write(), c.attribute(),
                    c.lun(), c.initiatorTaskTag(), c.expectedDataTransferLength(), c.cmdSn(), c.expStatSn(), c.cdb(), data);
            case NopOut n -> new NopOut(n.immediate(), n.lun(), n.initiatorTaskTag(), n.targetTransferTag(), n.cmdSn(),
                    n.expStatSn(), data);
            case TextRequest t -> new TextRequest(t.immediate(), t.finalFlag(), t.cont(), t.lun(), t.initiatorTaskTag(),
                    t.targetTransferTag(), t.cmdSn(), t.expStatSn(), data);
            default -> pdu;
        };
    }
}
