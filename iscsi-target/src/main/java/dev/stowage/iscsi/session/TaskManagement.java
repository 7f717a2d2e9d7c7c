package dev.stowage.iscsi.session;

import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.TaskMgmtRequest;
import dev.stowage.iscsi.pdu.TaskMgmtResponse;
import dev.stowage.iscsi.scsi.ScsiTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Task management functions (RFC 7143 section 11.5): ABORT TASK, ABORT TASK SET, CLEAR TASK SET,
 * LOGICAL UNIT RESET, TARGET WARM RESET and TARGET COLD RESET (a warm reset that then closes
 * every session of the target). Aborted tasks of this session get no response (the
 * initiator gave them up); the SCSI target is told so it can stop work and clear state. Other
 * functions (CLEAR ACA) are answered "function not supported" (TASK REASSIGN: "reassignment not supported").
 *
 * <p><b>Threading:</b> runs on the connection's reader; aborting sets each task's volatile flag,
 * which every response checks under the write lock, so no response of an aborted task follows
 * the TMF response.
 */
final class TaskManagement {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagement.class);

    private final Session session;

    TaskManagement(Session session) {
        this.session = session;
    }

    void request(Connection c, TaskMgmtRequest request) throws IOException {
        int response = handle(request);
        c.writer().send(n -> new TaskMgmtResponse(response, request.initiatorTaskTag(), n.statSn(), n.expCmdSn(),
                n.maxCmdSn()), true);
        if (request.function() == TaskMgmtRequest.TARGET_COLD_RESET && response == TaskMgmtResponse.FUNCTION_COMPLETE) {
            session.closeTargetSessions("target cold reset");   // RFC 7143 11.5.1: drop every connection
        }
    }

    private int handle(TaskMgmtRequest request) {
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
                abort(task);
                scsi.abortTask(session.nexus(), lun, task.itt & 0xffffffffL);
                return TaskMgmtResponse.FUNCTION_COMPLETE;
            }
            case TaskMgmtRequest.ABORT_TASK_SET, TaskMgmtRequest.CLEAR_TASK_SET -> {
                abortLun(lun);
                scsi.abortTaskSet(session.nexus(), lun);
                return TaskMgmtResponse.FUNCTION_COMPLETE;
            }
            case TaskMgmtRequest.LOGICAL_UNIT_RESET -> {
                abortLun(lun);
                scsi.lunReset(session.nexus(), lun);
                return TaskMgmtResponse.FUNCTION_COMPLETE;
            }
            case TaskMgmtRequest.TARGET_WARM_RESET, TaskMgmtRequest.TARGET_COLD_RESET -> {
                for (Task t : session.tasks().all()) {
                    abort(t);
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

    private void abortLun(long lun) {
        for (Task t : session.tasks().all()) {
            if (t.lun == lun) {
                abort(t);
            }
        }
    }

    private void abort(Task task) {
        task.aborted = true;
        if (!task.dispatched) {
            task.dispatched = true;
            session.tasks().remove(task);
            session.commands().releaseBuffer(task);
        }
        session.tasks().wake();
    }
}
