package dev.stowage.iscsi.scsi;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.iscsi.scsi.sbc.RangeLocks;
import dev.stowage.iscsi.scsi.sense.SenseReason;
import dev.stowage.iscsi.scsi.spc.CopyResults;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One logical unit: its number, device type (the opcode table that serves it), the device behind
 * it and its SCSI state: unit attentions, reservations, changeable mode parameters, LBA range
 * locks and medium-removal prevention.
 *
 * <p><b>Threading:</b> thread-safe; the state objects synchronize internally, simple flags are volatile.
 */
public final class LogicalUnit {
    private final long lun;
    private final CommandSet commandSet;
    private final BlockDevice device;
    private final DiskIdentity identity;
    private final UnitAttentions unitAttentions = new UnitAttentions();
    private final Reservations reservations = new Reservations();
    private final RangeLocks rangeLocks = new RangeLocks();
    private final CopyResults copyResults = new CopyResults();
    private final Set<ItNexus> preventRemoval = ConcurrentHashMap.newKeySet();
    private volatile boolean writeCacheEnabled;
    private volatile boolean softwareWriteProtect;
    private volatile long reportedCapacity;
    private volatile boolean stopped;

    public LogicalUnit(long lun, CommandSet commandSet, BlockDevice device, DiskIdentity identity) {
        this.lun = lun;
        this.commandSet = Objects.requireNonNull(commandSet, "commandSet");
        this.device = Objects.requireNonNull(device, "device");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.writeCacheEnabled = device.volatileWriteCache();
        this.reportedCapacity = device.blockCount();
    }

    public long lun() {
        return lun;
    }

    public CommandSet commandSet() {
        return commandSet;
    }

    public BlockDevice device() {
        return device;
    }

    public DiskIdentity identity() {
        return identity;
    }

    public UnitAttentions unitAttentions() {
        return unitAttentions;
    }

    public Reservations reservations() {
        return reservations;
    }

    public RangeLocks rangeLocks() {
        return rangeLocks;
    }

    /** EXTENDED COPY results held for RECEIVE COPY RESULTS. */
    public CopyResults copyResults() {
        return copyResults;
    }

    /** Nexuses that sent PREVENT ALLOW MEDIUM REMOVAL with PREVENT set. */
    public Set<ItNexus> preventRemoval() {
        return preventRemoval;
    }

    /**
     * Caching mode page WCE. When the device has a volatile cache and an initiator turns WCE off,
     * every write is made durable before it completes (written with FUA).
     */
    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void writeCacheEnabled(boolean enabled) {
        this.writeCacheEnabled = enabled && device.volatileWriteCache();
    }

    /** Control mode page SWP: the initiator asked to write-protect the medium. */
    public boolean softwareWriteProtect() {
        return softwareWriteProtect;
    }

    public void softwareWriteProtect(boolean swp) {
        this.softwareWriteProtect = swp;
    }

    /** True after START STOP UNIT with START=0: medium access fails with NOT READY until started again. */
    public boolean stopped() {
        return stopped;
    }

    public void stopped(boolean stopped) {
        this.stopped = stopped;
    }

    /** True when writes must be refused with DATA PROTECT. */
    public boolean writeProtected() {
        return softwareWriteProtect || device.readOnly();
    }

    /** Raises CAPACITY DATA HAS CHANGED once the device's size differs from the last one seen. */
    void checkCapacityChange() {
        long now = device.blockCount();
        if (now != reportedCapacity) {
            synchronized (this) {
                if (now != reportedCapacity) {
                    reportedCapacity = now;
                    unitAttentions.raise(SenseReason.CAPACITY_DATA_HAS_CHANGED, null);
                }
            }
        }
    }
}
