package dev.stowage.iscsi.session;

import dev.stowage.iscsi.login.SessionParameters;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.DataIn;
import dev.stowage.iscsi.pdu.DataOut;
import dev.stowage.iscsi.pdu.R2t;
import dev.stowage.iscsi.pdu.Reject;
import dev.stowage.iscsi.pdu.ScsiCommandPdu;
import dev.stowage.iscsi.pdu.ScsiResponsePdu;
import dev.stowage.iscsi.scsi.ScsiCommand;
import dev.stowage.iscsi.scsi.ScsiResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * SCSI commands of a session: gathers write data (immediate, unsolicited up to FirstBurstLength,
 * then solicited by R2Ts of at most MaxBurstLength, MaxOutstandingR2T at a time), runs the
 * command on a worker, and returns data as Data-In PDUs no larger than the initiator's
 * MaxRecvDataSegmentLength, with the status in the last Data-In when there is no sense data, or
 * in a SCSI Response otherwise. Residuals compare ExpectedDataTransferLength with the data the
 * target has (reads) or with the data-out the CDB called for ({@link ScsiResponse#dataOutExpected},
 * writes).
 *
 * <p>Write data is received straight into the task's buffer (see {@link #bufferFor}), a direct
 * buffer from the connection's {@link WriteBufferPool}. A write
 * longer than {@link Portal#maxWriteLength()} fails with INVALID FIELD IN CDB; one that would
 * exceed the connection's write budget gets TASK SET FULL, which initiators retry.
 *
 * <p><b>Threading:</b> {@link #command} and {@link #dataOut} run on the reader; {@link #run} on a
 * worker. Responses are written under the connection's write lock, after checking the task was
 * not aborted.
 */
final class ScsiCommands {
    private static final Logger LOG = LoggerFactory.getLogger(ScsiCommands.class);
    private static final ScsiCommand.TaskAttribute[] ATTRIBUTES = {
        ScsiCommand.TaskAttribute.UNTAGGED, ScsiCommand.TaskAttribute.SIMPLE, ScsiCommand.TaskAttribute.ORDERED,
        ScsiCommand.TaskAttribute.HEAD_OF_QUEUE, ScsiCommand.TaskAttribute.ACA};

    private final Session session;
    /** The Data-Out range last handed to the decoder (reader thread only). */
    private Task suppliedTask;
    private int suppliedOffset;
    private int suppliedLength;

    ScsiCommands(Session session) {
        this.session = session;
    }

    /** A new command, delivered in CmdSN order. */
    void command(Connection c, ScsiCommandPdu cmd) throws IOException {
        if (session.scsi() == null) {
            c.reject(Reject.PROTOCOL_ERROR, cmd, "SCSI command in a discovery session");
            return;
        }
        SessionParameters p = session.parameters();
        int edtl = cmd.expectedDataTransferLength();
        int immediateLength = cmd.data().remaining();
        if (immediateLength > 0 && (!cmd.write() || !p.immediateData() || immediateLength > Math.max(edtl, 0)
                || immediateLength > p.firstBurstLength())) {
            c.reject(Reject.PROTOCOL_ERROR, cmd, "immediate data not allowed or longer than the transfer");
            return;
        }
        if (session.tasks().get(cmd.initiatorTaskTag()) != null) {
            c.reject(Reject.TASK_IN_PROGRESS, cmd, "task tag already in use");
            return;
        }
        ScsiCommand.TaskAttribute attribute = ATTRIBUTES[cmd.attribute() < ATTRIBUTES.length ? cmd.attribute() : 1];
        long lun = Bhs.decodeLun(cmd.lun());
        boolean write = cmd.write() && edtl != 0;
        ByteBuffer buffer = null;
        int unsolicitedEnd = 0;
        if (write) {
            long length = edtl & 0xffffffffL;
            if (length > session.portal().maxWriteLength()) {
                respondEarly(c, cmd, TransportSense.invalidFieldInCdb());
                return;
            }
            if (!c.reserve(length)) {
                respondEarly(c, cmd, new ScsiResponse(ScsiResponse.TASK_SET_FULL, null, null));
                return;
            }
            buffer = c.buffers().take(edtl);
            buffer.put(0, cmd.data(), cmd.data().position(), immediateLength);
            unsolicitedEnd = cmd.finalFlag() || p.initialR2T() ? immediateLength : Math.min(edtl, p.firstBurstLength());
        }
        Task task = new Task(cmd.initiatorTaskTag(), cmd.lun(), lun, cmd.cmdSn(), cmd.cdb(), attribute, edtl,
                cmd.read(), write, buffer, unsolicitedEnd);
        task.received = immediateLength;
        session.tasks().add(task);
        if (write) {
            issueR2ts(c, task);
        }
        maybeDispatch(task);
    }

    /**
     * Where the reader should put a Data-Out's data: straight into the task buffer when the PDU
     * targets a valid range of a task still collecting data, else null.
     */
    ByteBuffer bufferFor(ByteBuffer bhs, int length) {
        if (Bhs.opcode(bhs) != 0x05) {
            return null;
        }
        Task task = session.tasks().get(Bhs.itt(bhs));
        int offset = bhs.getInt(40);
        if (task == null || task.buffer == null || task.dispatched || offset < 0 || length > task.expectedLength - offset) {
            return null;
        }
        suppliedTask = task;
        suppliedOffset = offset;
        suppliedLength = length;
        return task.buffer.duplicate().limit(offset + length).position(offset);
    }

    /** Write data for a task. */
    void dataOut(Connection c, DataOut d) throws IOException {
        Task task = session.tasks().get(d.initiatorTaskTag());
        if (task == null || task.buffer == null || task.dispatched) {
            if (d.targetTransferTag() != Bhs.RESERVED_TAG) {
                c.reject(Reject.PROTOCOL_ERROR, d, "Data-Out for no task waiting for data");
            }
            return;     // leftover unsolicited data of a task that already ended
        }
        int offset = d.bufferOffset();
        int length = d.data().remaining();
        if (offset < 0 || length > task.expectedLength - offset) {
            failTask(c, task, "Data-Out beyond ExpectedDataTransferLength");
            return;
        }
        if (d.targetTransferTag() == Bhs.RESERVED_TAG) {
            if (offset + length > task.unsolicitedEnd || d.dataSn() != task.unsolicitedDataSn++) {
                failTask(c, task, "unsolicited Data-Out out of sequence or beyond FirstBurstLength");
                return;
            }
        } else {
            Task.R2tState r2t = task.r2ts.get(d.targetTransferTag());
            if (r2t == null || offset < r2t.offset || offset + length > r2t.offset + r2t.length
                    || d.dataSn() != r2t.nextDataSn++ || offset != r2t.offset + r2t.received) {
                failTask(c, task, "solicited Data-Out does not match its R2T (offset, DataSN or tag)");
                return;
            }
            r2t.received += length;
            if (r2t.received >= r2t.length) {
                task.r2ts.remove(d.targetTransferTag());
            }
        }
        boolean inPlace = suppliedTask == task && suppliedOffset == offset && suppliedLength == length;
        suppliedTask = null;
        if (!inPlace) {
            task.buffer.put(offset, d.data(), d.data().position(), length);
        }
        task.received += length;
        if (d.targetTransferTag() != Bhs.RESERVED_TAG) {
            issueR2ts(c, task);
        }
        maybeDispatch(task);
    }

    private void issueR2ts(Connection c, Task task) throws IOException {
        SessionParameters p = session.parameters();
        while (task.nextR2tOffset < task.expectedLength && task.r2ts.size() < p.maxOutstandingR2T()) {
            int offset = task.nextR2tOffset;
            int length = Math.min(p.maxBurstLength(), task.expectedLength - offset);
            int ttt = session.newTransferTag();
            int sn = task.r2tSn++;
            task.r2ts.put(ttt, new Task.R2tState(offset, length));
            task.nextR2tOffset += length;
            c.writer().send(n -> new R2t(task.rawLun, task.itt, ttt, n.statSn(), n.expCmdSn(), n.maxCmdSn(), sn, offset,
                    length), false);
        }
    }

    private void failTask(Connection c, Task task, String why) throws IOException {
        LOG.info("session {} task 0x{}: {}", session.tsih(), Integer.toHexString(task.itt), why);
        task.dispatched = true;
        session.tasks().remove(task);
        releaseBuffer(task);
        recycle(c, task);
        task.finished.countDown();
        respond(c, task, TransportSense.dataPhaseError(), 0);
    }

    private void maybeDispatch(Task task) {
        if (task.dispatched || !task.dataComplete()) {
            return;
        }
        task.dispatched = true;
        session.tasks().enqueue(task);
        Connection c = session.connection();
        session.portal().workers().execute(() -> run(c, task));
    }

    private void run(Connection c, Task task) {
        ScsiResponse response;
        try {
            session.tasks().awaitTurn(task);
            if (task.aborted) {
                return;
            }
            ByteBuffer dataOut = task.buffer == null ? null
                    : task.buffer.duplicate().limit(task.expectedLength).position(0).asReadOnlyBuffer();
            ScsiCommand command = new ScsiCommand(task.lun, task.itt & 0xffffffffL, task.cdb, task.attribute, dataOut,
                    task.read ? (int) Math.min(task.expectedLength & 0xffffffffL, Integer.MAX_VALUE) : 0);
            try {
                response = session.scsi().execute(session.nexus(), command);
            } catch (RuntimeException e) {
                LOG.error("SCSI target failed on opcode 0x{} for {}", Integer.toHexString(task.cdb[0] & 0xff),
                        session.nexus().initiatorPort(), e);
                response = TransportSense.internalTargetFailure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            session.tasks().finish(task);
            releaseBuffer(task);
            recycle(c, task);
            task.finished.countDown();
        }
        try {
            respond(c, task, response, task.r2tSn);
        } catch (IOException e) {
            LOG.debug("session {}: response not delivered: {}", session.tsih(), e.toString());
            c.close();
        }
    }

    /** Returns the task's bytes to the connection's write budget (idempotent). */
    void releaseBuffer(Task task) {
        Connection c = session.connection();
        if (task.buffer != null && c != null) {
            synchronized (task) {
                if (!task.released) {
                    task.released = true;
                    c.release(task.expectedLength & 0xffffffffL);
                }
            }
        }
    }

    /** Hands the task's buffer back for reuse: only once nothing can read or write it any more. */
    void recycle(Connection c, Task task) {
        if (task.buffer != null && c != null) {
            c.buffers().give(task.buffer);
        }
    }

    private void respondEarly(Connection c, ScsiCommandPdu cmd, ScsiResponse response) throws IOException {
        Task task = new Task(cmd.initiatorTaskTag(), cmd.lun(), Bhs.decodeLun(cmd.lun()), cmd.cmdSn(), cmd.cdb(),
                ScsiCommand.TaskAttribute.SIMPLE, cmd.expectedDataTransferLength(), cmd.read(), false, null, 0);
        respond(c, task, response, 0);
    }

    /** Writes Data-In (if any) and status for a finished task; nothing when it was aborted. */
    private void respond(Connection c, Task task, ScsiResponse response, int r2tCount) throws IOException {
        ByteBuffer dataIn = response.dataIn() == null ? ByteBuffer.allocate(0) : response.dataIn().duplicate();
        long expected = task.read ? task.expectedLength & 0xffffffffL : 0;
        int available = task.read ? dataIn.remaining() : 0;
        int toSend = (int) Math.min(available, expected);
        int residualFlags = 0;
        int residual = 0;
        if (task.read && available > expected) {
            residualFlags = ScsiResponsePdu.OVERFLOW;
            residual = (int) (available - expected);
        } else if (task.read && available < expected) {
            residualFlags = ScsiResponsePdu.UNDERFLOW;
            residual = (int) (expected - available);
        } else if (!task.read && response.dataOutExpected() >= 0) {
            // Write residual: what the CDB asked for against what the initiator announced.
            long announced = task.expectedLength & 0xffffffffL;
            long needed = response.dataOutExpected();
            if (needed > announced) {
                residualFlags = ScsiResponsePdu.OVERFLOW;
                residual = (int) Math.min(needed - announced, 0xffffffffL);
            } else if (needed < announced) {
                residualFlags = ScsiResponsePdu.UNDERFLOW;
                residual = (int) (announced - needed);
            }
        }
        boolean statusInData = toSend > 0 && response.sense() == null;
        SessionParameters p = session.parameters();
        int segment = p.initiatorMaxRecvDataSegmentLength();
        int burst = p.maxBurstLength();
        PduWriter writer = c.writer();
        writer.lock().lock();
        try {
            if (task.aborted) {
                return;
            }
            int dataSn = 0;
            int offset = 0;
            while (offset < toSend) {
                int burstLeft = burst - (offset % burst);
                int length = Math.min(Math.min(segment, toSend - offset), burstLeft);
                boolean last = offset + length == toSend;
                boolean endOfBurst = last || length == burstLeft;
                boolean status = last && statusInData;
                ByteBuffer slice = dataIn.slice(dataIn.position() + offset, length);
                int sn = dataSn++;
                int off = offset;
                int flags = residualFlags;
                int res = residual;
                writer.send(n -> new DataIn(endOfBurst, false, status ? flags : 0, status,
                        status ? response.status() : 0, task.rawLun, task.itt, Bhs.RESERVED_TAG,
                        status ? n.statSn() : 0, n.expCmdSn(), n.maxCmdSn(), sn, off, status ? res : 0, slice), status);
                offset += length;
            }
            if (!statusInData) {
                ByteBuffer sense = response.sense() == null ? null : ScsiResponsePdu.senseSegment(response.sense());
                int expDataSn = task.read ? dataSn : r2tCount;
                int flags = residualFlags;
                int res = residual;
                writer.send(n -> new ScsiResponsePdu(flags, 0, response.status(), task.itt, 0, n.statSn(),
                        n.expCmdSn(), n.maxCmdSn(), expDataSn, 0, res, sense), true);
            }
        } finally {
            writer.lock().unlock();
        }
    }
}
