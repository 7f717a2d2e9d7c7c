package dev.stowage.iscsi.session;

import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.TaskMgmtRequest;
import dev.stowage.iscsi.pdu.TaskMgmtResponse;
import dev.stowage.iscsi.scsi.ScsiTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Task management functions (RFC 7143 section 11.5): ABORT TASK, ABORT TASK SET, CLEAR TASK SET,
 * LOGICAL UNIT RESET, TARGET WARM RESET and TARGET COLD RESET (a warm reset that then closes
 * every session of the target). Aborted tasks of this session get no response (the
 * initiator gave them up); the SCSI target is told so it can stop work and clear state. Other
 * functions (CLEAR ACA) are answered "function not supported" (TASK REASSIGN: "reassignment not supported").
 *
 * <p><b>Threading:</b> the function runs on the connection's reader: aborting sets each task's
 * volatile flag, which every response checks under the write lock, so no response of an aborted
 * task follows. The TMF response is sent from a worker once every aborted task has stopped
 * (a task already inside the SCSI target finishes its current operation first), so when the
 * initiator sees "function complete" no aborted write can still land.
 */
final class TaskManagement {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagement.class);

    private static final int ABORT_WAIT_SECONDS = 60;

    private final Session session;

    TaskManagement(Session session) {
        this.session = session;
    }

    void request(Connection c, TaskMgmtRequest request) {
        List<Task> aborted = new ArrayList<>();
        int response = handle(request, aborted);
        // The response may only go out once the aborted tasks can no longer touch the unit, which
        // can take as long as one device operation: wait on a worker, not on the reader.
        session.portal().workers().execute(() -> {
            awaitFinished(aborted);
            try {
                c.writer().send(n -> new TaskMgmtResponse(response, request.initiatorTaskTag(), n.statSn(),
                        n.expCmdSn(), n.maxCmdSn()), true);
            } catch (IOException e) {
                c.close();
                return;
            }
            if (request.function() == TaskMgmtRequest.TARGET_COLD_RESET
                    && response == TaskMgmtResponse.FUNCTION_COMPLETE) {
                session.closeTargetSessions("target cold reset");   // RFC 7143 11.5.1: drop every connection
            }
        });
    }

    private void awaitFinished(List<Task> tasks) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ABORT_WAIT_SECONDS);
        for (Task t : tasks) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !t.finished.await(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("session {}: aborted task 0x{} still running after {} s; answering anyway",
                            session.tsih(), Integer.toHexString(t.itt), ABORT_WAIT_SECONDS);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int handle(TaskMgmtRequest request, List<Task> aborted) {
        ScsiTarget scsi = session.scsi();
        if (scsi == null) {
            return TaskMgmtResponse.AUTHORIZATION_FAILED;
        }
        long lun = Bhs.decodeLun(request.lun());
        int function = request.function();
        boolean lunScoped = function == TaskMgmtRequest.ABORT_TASK || function == TaskMgmtRequest.ABORT_TASK_SET
                || function == TaskMgmtRequest.CLEAR_TASK_SET || function == TaskMgmtRequest.LOGICAL_UNIT_RESET;
        if (lunScoped && !scsi.luns().contains(lun)) {
            return TaskMgmtResponse.LUN_DOES_NOT_EXIST;
        }
        LOG.info("session {}: task management function {} on LUN {}", session.tsih(), function, lun);
        switch (function) {
            case TaskMgmtRequest.ABORT_TASK -> {
                Task task = session.tasks().get(request.referencedTaskTag());
                if (task == null || task.lun != lun) {
                    // Not (or no longer) here. If its CmdSN has not arrived yet, RFC 7143 11.5.1
                    // asks us to treat it as done; either way nothing remains to abort.
                    return SerialNumbers.atMost(session.window().expCmdSn(), request.refCmdSn())
                            ? TaskMgmtResponse.FUNCTION_COMPLETE : TaskMgmtResponse.TASK_DOES_NOT_EXIST;
                }
                abort(task, aborted);
                scsi.abortTask(session.nexus(), lun, task.itt & 0xffffffffL);
                return TaskMgmtResponse.FUNCTION_COMPLETE;
            }
            case TaskMgmtRequest.ABORT_TASK_SET, TaskMgmtRequest.CLEAR_TASK_SET -> {
                abortLun(lun, aborted);
                scsi.abortTaskSet(session.nexus(), lun);
                return TaskMgmtResponse.FUNCTION_COMPLETE;
            }
            case TaskMgmtRequest.LOGICAL_UNIT_RESET -> {
                abortLun(lun, aborted);
                scsi.lunReset(session.nexus(), lun);
                return TaskMgmtResponse.FUNCTION_COMPLETE;
            }
            case TaskMgmtRequest.TARGET_WARM_RESET, TaskMgmtRequest.TARGET_COLD_RESET -> {
                for (Task t : session.tasks().all()) {
                    abort(t, aborted);
                }
                scsi.targetReset(session.nexus());
                return TaskMgmtResponse.FUNCTION_COMPLETE;
            }
            case TaskMgmtRequest.TASK_REASSIGN -> {
                return TaskMgmtResponse.REASSIGNMENT_NOT_SUPPORTED;
            }
            default -> {
                return TaskMgmtResponse.FUNCTION_NOT_SUPPORTED;
            }
        }
    }

    private void abortLun(long lun, List<Task> aborted) {
        for (Task t : session.tasks().all()) {
            if (t.lun == lun) {
                abort(t, aborted);
            }
        }
    }

    private void abort(Task task, List<Task> aborted) {
        task.aborted = true;
        aborted.add(task);
        if (!task.dispatched) {
            task.dispatched = true;
            session.tasks().remove(task);
            session.commands().releaseBuffer(task);
            session.commands().recycle(session.connection(), task);
            task.finished.countDown();
        }
        session.tasks().wake();
    }
}
