package dev.stowage.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * One SCSI command as the transport delivered it.
 *
 * @param lun                  logical unit number (already decoded from the 8-byte LUN field)
 * @param taskTag              initiator task tag, unique per nexus while the task runs
 * @param cdb                  command descriptor block (6 to 16 bytes, or longer with AHS)
 * @param attribute            task attribute
 * @param dataOut              all data the initiator sent for this command (immediate, unsolicited
 *                             and solicited data gathered by the transport), or null when none;
 *                             read-only view, valid until execute returns
 * @param expectedDataInLength bytes the initiator expects back (allocation limit of the transfer)
 */
public record ScsiCommand(long lun, long taskTag, byte[] cdb, TaskAttribute attribute, ByteBuffer dataOut,
                          int expectedDataInLength) {

    /** SAM task attributes. */
    public enum TaskAttribute { UNTAGGED, SIMPLE, ORDERED, HEAD_OF_QUEUE, ACA }

    /** The operation code (first CDB byte, unsigned). */
    public int opcode() {
        return cdb[0] & 0xff;
    }
}
