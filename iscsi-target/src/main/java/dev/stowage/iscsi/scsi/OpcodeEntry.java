package dev.stowage.iscsi.scsi;

/**
 * One line of an opcode table.
 *
 * @param opcode        operation code
 * @param serviceAction service action, or -1 when the opcode has none
 * @param name          command name, for logs
 * @param cdbUsage      CDB usage data for REPORT SUPPORTED OPERATION CODES: the CDB length is its
 *                      length, byte 0 the opcode, then a mask of the bits the target looks at
 * @param access        how the command conflicts with reservations
 * @param handler       the code that runs it
 */
public record OpcodeEntry(int opcode, int serviceAction, String name, byte[] cdbUsage, Access access,
                          CommandHandler handler) {

    public int cdbLength() {
        return cdbUsage.length;
    }
}
