package dev.stowage.iscsi.session;

import dev.stowage.iscsi.scsi.ScsiCommand;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One SCSI task of a session, from its command PDU until its status is written.
 *
 * <pre>
 *   COLLECTING (write data still arriving: immediate, unsolicited, solicited by R2T)
 *     -> QUEUED (all data in; waiting for its turn by task attribute)
 *     -> RUNNING (ScsiTarget.execute) -> DONE (status written, or suppressed when aborted)
 * </pre>
 *
 * <p><b>Threading:</b> the collecting fields are touched only by the connection's reader; the
 * abort flag is volatile and checked under the connection's write lock before any response.
 */
final class Task {

    /** One outstanding R2T. */
    static final class R2tState {
        final int offset;
        final int length;
        int received;
        int nextDataSn;

        R2tState(int offset, int length) {
            this.offset = offset;
            this.length = length;
        }
    }

    final int itt;
    final long rawLun;
    final long lun;
    final int cmdSn;
    final byte[] cdb;
    final ScsiCommand.TaskAttribute attribute;
    final int expectedLength;
    final boolean read;
    final boolean write;
    final ByteBuffer buffer;
    final int unsolicitedEnd;
    final Map<Integer, R2tState> r2ts = new HashMap<>();
    int received;
    int nextR2tOffset;
    int r2tSn;
    int unsolicitedDataSn;
    boolean dispatched;
    boolean released;
    long order;
    volatile boolean aborted;
    /** Counted down once the task can no longer touch the logical unit (finished, failed, or never started). */
    final CountDownLatch finished = new CountDownLatch(1);

    Task(int itt, long rawLun, long lun, int cmdSn, byte[] cdb, ScsiCommand.TaskAttribute attribute,
         int expectedLength, boolean read, boolean write, ByteBuffer buffer, int unsolicitedEnd) {
        this.itt = itt;
        this.rawLun = rawLun;
        this.lun = lun;
        this.cmdSn = cmdSn;
        this.cdb = cdb;
        this.attribute = attribute;
        this.expectedLength = expectedLength;
        this.read = read;
        this.write = write;
        this.buffer = buffer;
        this.unsolicitedEnd = unsolicitedEnd;
        this.nextR2tOffset = unsolicitedEnd;
    }

    /** True once every byte of write data has arrived and no R2T is outstanding. */
    boolean dataComplete() {
        return buffer == null || (received >= expectedLength && r2ts.isEmpty() && nextR2tOffset >= expectedLength);
    }

}
