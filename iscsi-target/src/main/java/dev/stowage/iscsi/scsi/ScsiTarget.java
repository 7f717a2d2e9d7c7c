package dev.stowage.iscsi.scsi;

import java.util.List;

/**
 * The SCSI side of one target: its logical units and the command sets that serve them. This is
 * the whole contract between the iSCSI transport and SCSI; nothing in this package imports the
 * transport, and the transport never parses a CDB.
 *
 * <p><b>Threading:</b> thread-safe. {@link #execute} is called concurrently from many
 * connections and blocks until the command is done (the transport runs it on a worker pool).
 * Task-management calls may arrive while commands are running.
 *
 * <p><b>Errors:</b> {@link #execute} never throws for a SCSI-level failure: those come back as
 * {@link ScsiResponse} with CHECK CONDITION and sense data. It throws only for a bug, which the
 * transport answers with a generic CHECK CONDITION (hardware error) and logs.
 */
public interface ScsiTarget {

    /** Logical unit numbers served, ascending (REPORT LUNS). */
    List<Long> luns();

    /** Executes one command for {@code nexus}. */
    ScsiResponse execute(ItNexus nexus, ScsiCommand command);

    /** ABORT TASK: the command with this tag, if still running, completes without effect where possible. */
    void abortTask(ItNexus nexus, long lun, long taskTag);

    /** ABORT TASK SET / CLEAR TASK SET: every task of {@code nexus} on {@code lun}. */
    void abortTaskSet(ItNexus nexus, long lun);

    /**
     * LOGICAL UNIT RESET: aborts all tasks on the unit, releases RESERVE(6) reservations (persistent
     * reservations survive, SPC-4 5.13.1), raises BUS DEVICE RESET FUNCTION OCCURRED for every
     * nexus (SAM-5: all I_T nexuses, the requester included).
     */
    void lunReset(ItNexus requester, long lun);

    /** TARGET WARM RESET: a LUN reset of every unit. */
    void targetReset(ItNexus requester);

    /** A nexus logged in (first command may carry a unit attention: power on / reset occurred). */
    void nexusAdded(ItNexus nexus);

    /** A nexus logged out or its connection died: forget its tasks (registrations persist per SPC). */
    void nexusRemoved(ItNexus nexus);
}
