package dev.stowage.iscsi.scsi;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.sbc.DiskCommandSet;
import dev.stowage.iscsi.scsi.sense.SenseData;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;
import dev.stowage.iscsi.scsi.spc.Inquiry;
import dev.stowage.iscsi.scsi.spc.ReportLuns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A SCSI target made of logical units, each served by its device type's opcode table. Runs the
 * checks every command shares before dispatch: the LUN exists (else LOGICAL UNIT NOT SUPPORTED;
 * the REPORT LUNS well-known LUN answers INQUIRY, REPORT LUNS, REQUEST SENSE and TEST UNIT READY),
 * pending unit attention, opcode known, CDB long enough, reservation conflict. Then the handler
 * runs on the caller's thread; a {@link DeviceException} becomes sense data through
 * {@link SenseReason#of}, and an unexpected runtime exception (a bug) is logged and answered with
 * HARDWARE ERROR / INTERNAL TARGET FAILURE, so {@link #execute} does not throw.
 *
 * <p><b>Threading:</b> thread-safe; see {@link ScsiTarget}. Commands run synchronously, so ABORT
 * TASK and resets affect a command only if it has not started its handler yet (it then completes
 * with TASK ABORTED); a handler in progress runs to completion.
 */
public final class ScsiTargetImpl implements ScsiTarget {
    private static final Logger log = LoggerFactory.getLogger(ScsiTargetImpl.class);

    private static final int INQUIRY = 0x12;
    private static final int REPORT_LUNS = 0xa0;
    private static final int REQUEST_SENSE = 0x03;
    private static final int START_STOP_UNIT = 0x1b;
    private static final int TEST_UNIT_READY = 0x00;
    private static final int NACA = 0x04;

    private final Map<Long, LogicalUnit> units;
    private final List<Long> luns;
    private final Map<TaskKey, Task> running = new ConcurrentHashMap<>();

    private record TaskKey(ItNexus nexus, long tag) {
    }

    private ScsiTargetImpl(Map<Long, LogicalUnit> units) {
        this.units = Collections.unmodifiableMap(new TreeMap<>(units));
        this.luns = List.copyOf(this.units.keySet());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Assembles a target from (lun, device, identity) triples. */
    public static final class Builder {
        private final Map<Long, LogicalUnit> units = new TreeMap<>();

        /** Adds a disk LUN (SBC-3) backed by {@code device}. */
        public Builder disk(long lun, BlockDevice device, DiskIdentity identity) {
            if (lun < 0 || lun > 0x3fff) {
                throw new IllegalArgumentException("LUN must be 0..16383, not " + lun);
            }
            if (units.containsKey(lun)) {
                throw new IllegalArgumentException("LUN " + lun + " defined twice");
            }
            units.put(lun, new LogicalUnit(lun, DiskCommandSet.instance(), device, identity));
            return this;
        }

        public ScsiTargetImpl build() {
            if (units.isEmpty()) {
                throw new IllegalStateException("a target needs at least one LUN");
            }
            return new ScsiTargetImpl(units);
        }
    }

    @Override
    public List<Long> luns() {
        return luns;
    }

    /** The logical unit with number {@code lun}, or null. */
    public LogicalUnit unit(long lun) {
        return units.get(lun);
    }

    @Override
    public ScsiResponse execute(ItNexus nexus, ScsiCommand command) {
        Objects.requireNonNull(nexus, "nexus");
        byte[] cdb = command.cdb();
        if (cdb == null || cdb.length < 6) {
            return Task.checkCondition(SenseException.of(SenseReason.INVALID_COMMAND_OPERATION_CODE));
        }
        LogicalUnit lu = units.get(command.lun());
        Task task = new Task(this, units.values(), nexus, command, lu);
        TaskKey key = new TaskKey(nexus, command.taskTag());
        running.put(key, task);
        try {
            ScsiResponse r = dispatch(task, lu);
            return task.dataOutExpected() >= 0 ? r.withDataOutExpected(task.dataOutExpected()) : r;
        } finally {
            running.remove(key, task);
        }
    }

    private ScsiResponse dispatch(Task task, LogicalUnit lu) {
        int op = task.opcode();
        try {
            if (lu == null && task.command().lun() == ReportLuns.WELL_KNOWN_LUN) {
                return switch (op) {
                    case INQUIRY -> Inquiry.wellKnownLun(task);
                    case REPORT_LUNS -> {
                        task.requireCdbLength(12);
                        yield ReportLuns.execute(task);
                    }
                    case REQUEST_SENSE -> Task.dataIn(SenseData.noSense(), task.u8(4));
                    case TEST_UNIT_READY -> ScsiResponse.good();
                    default -> throw SenseException.of(SenseReason.INVALID_COMMAND_OPERATION_CODE);
                };
            }
            if (lu == null) {
                return switch (op) {
                    case INQUIRY -> Inquiry.absentLun(task);
                    case REPORT_LUNS -> {
                        task.requireCdbLength(12);
                        yield ReportLuns.execute(task);
                    }
                    case REQUEST_SENSE -> Task.dataIn(SenseData.fixed(SenseReason.LOGICAL_UNIT_NOT_SUPPORTED), task.u8(4));
                    default -> throw SenseException.of(SenseReason.LOGICAL_UNIT_NOT_SUPPORTED);
                };
            }
            lu.checkCapacityChange();
            if (op != INQUIRY && op != REPORT_LUNS && op != REQUEST_SENSE) {
                SenseReason ua = lu.unitAttentions().poll(task.nexus());
                if (ua != null) {
                    return Task.checkCondition(SenseException.of(ua));
                }
            }
            OpcodeEntry entry = lu.commandSet().lookup(task.cdb());
            if (task.cdb().length < entry.cdbLength()) {
                throw SenseException.invalidCdbField(0, -1);
            }
            if ((task.cdb()[entry.cdbLength() - 1] & NACA) != 0) {
                // Auto contingent allegiance is not supported (SAM-5 5.9.1.2).
                throw SenseException.invalidCdbField(entry.cdbLength() - 1, 2);
            }
            if (lu.reservations().conflicts(task.nexus(), entry.access())) {
                return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
            }
            if (lu.stopped() && (entry.access() == Access.READ || entry.access() == Access.WRITE)
                    && op != START_STOP_UNIT) {
                throw SenseException.of(SenseReason.NOT_READY_INITIALIZING_COMMAND_REQUIRED);
            }
            if (task.aborted()) {
                return new ScsiResponse(ScsiResponse.TASK_ABORTED, null, null);
            }
            return entry.handler().execute(task);
        } catch (SenseException e) {
            return Task.checkCondition(e);
        } catch (DeviceException e) {
            log.warn("LUN {} opcode 0x{}: {} ({})", task.command().lun(), Integer.toHexString(op), e.getMessage(), e.error());
            return Task.checkCondition(SenseException.of(SenseReason.of(e.error())));
        } catch (RuntimeException e) {
            // A bug in a handler must not take the connection down: the initiator sees a hardware error.
            log.error("LUN {} opcode 0x{} failed unexpectedly", task.command().lun(), Integer.toHexString(op), e);
            return Task.checkCondition(SenseException.of(SenseReason.INTERNAL_TARGET_FAILURE));
        }
    }

    @Override
    public void abortTask(ItNexus nexus, long lun, long taskTag) {
        Task t = running.get(new TaskKey(nexus, taskTag));
        if (t != null && t.command().lun() == lun) {
            t.abort();
        }
    }

    @Override
    public void abortTaskSet(ItNexus nexus, long lun) {
        for (Task t : running.values()) {
            if (t.nexus().equals(nexus) && t.command().lun() == lun) {
                t.abort();
            }
        }
    }

    @Override
    public void lunReset(ItNexus requester, long lun) {
        LogicalUnit lu = units.get(lun);
        if (lu == null) {
            return;
        }
        for (Task t : running.values()) {
            if (t.command().lun() == lun) {
                t.abort();
            }
        }
        resetUnit(lu, SenseReason.BUS_DEVICE_RESET_OCCURRED);
    }

    @Override
    public void targetReset(ItNexus requester) {
        for (Task t : running.values()) {
            t.abort();
        }
        for (LogicalUnit lu : units.values()) {
            resetUnit(lu, SenseReason.POWER_ON_RESET_OCCURRED);
        }
    }

    /** SAM-5 logical unit reset: RESERVE(6) released, medium removal allowed, mode pages to defaults, a unit attention for every nexus. Persistent reservations survive. */
    private static void resetUnit(LogicalUnit lu, SenseReason reason) {
        lu.reservations().clearLegacy();
        lu.preventRemoval().clear();
        lu.writeCacheEnabled(true);
        lu.softwareWriteProtect(false);
        lu.unitAttentions().raise(reason, null);
    }

    @Override
    public void nexusAdded(ItNexus nexus) {
        for (LogicalUnit lu : units.values()) {
            lu.unitAttentions().register(nexus);
        }
    }

    @Override
    public void nexusRemoved(ItNexus nexus) {
        List<TaskKey> gone = new ArrayList<>();
        for (Map.Entry<TaskKey, Task> e : running.entrySet()) {
            if (e.getKey().nexus().equals(nexus)) {
                e.getValue().abort();
                gone.add(e.getKey());
            }
        }
        gone.forEach(running::remove);
        for (LogicalUnit lu : units.values()) {
            lu.reservations().nexusLost(nexus);
            lu.preventRemoval().remove(nexus);
            lu.copyResults().forget(nexus);
            lu.unitAttentions().forget(nexus);
        }
    }
}
