package dev.stowage.iscsi.scsi;

import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * One command being executed: the nexus, the command as delivered, the logical unit it addresses
 * and helpers to decode the CDB and shape the response. Confined to the thread that executes it.
 */
public final class Task {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final ScsiTarget target;
    private final Collection<LogicalUnit> units;
    private final ItNexus nexus;
    private final ScsiCommand command;
    private final LogicalUnit lu;
    private final byte[] cdb;
    private volatile boolean aborted;
    private long dataOutExpected = -1;

    public Task(ScsiTarget target, Collection<LogicalUnit> units, ItNexus nexus, ScsiCommand command, LogicalUnit lu) {
        this.target = target;
        this.units = units;
        this.nexus = nexus;
        this.command = command;
        this.lu = lu;
        this.cdb = command.cdb();
    }

    /** The target the command arrived at (REPORT LUNS). */
    public ScsiTarget target() {
        return target;
    }

    /** Every logical unit of the target (EXTENDED COPY resolves its copy targets among them). */
    public Collection<LogicalUnit> units() {
        return units;
    }

    public ItNexus nexus() {
        return nexus;
    }

    public ScsiCommand command() {
        return command;
    }

    /** The addressed logical unit; null only for commands served without one (REPORT LUNS, INQUIRY to an absent LUN). */
    public LogicalUnit lu() {
        return lu;
    }

    public byte[] cdb() {
        return cdb;
    }

    public int opcode() {
        return cdb[0] & 0xff;
    }

    /** Marks the task aborted (ABORT TASK, LUN reset); a handler that has not started yet does nothing. */
    void abort() {
        aborted = true;
    }

    public boolean aborted() {
        return aborted;
    }

    /** Records how many data-out bytes the CDB calls for, so the transport can report residuals. */
    public void expectDataOut(long bytes) {
        dataOutExpected = bytes;
    }

    /** Data-out bytes the CDB called for, or -1 when the command was not decoded that far. */
    public long dataOutExpected() {
        return dataOutExpected;
    }

    public int u8(int offset) {
        return cdb[offset] & 0xff;
    }

    public int u16(int offset) {
        return (u8(offset) << 8) | u8(offset + 1);
    }

    public int u24(int offset) {
        return (u8(offset) << 16) | u16(offset + 1);
    }

    public long u32(int offset) {
        return ((long) u16(offset) << 16) | u16(offset + 2);
    }

    public long u64(int offset) {
        return (u32(offset) << 32) | u32(offset + 4);
    }

    public boolean bit(int offset, int bit) {
        return (cdb[offset] & (1 << bit)) != 0;
    }

    /** Fails with INVALID FIELD IN CDB (pointing at the highest offending bit) when any bit of {@code mask} is set in byte {@code offset}. */
    public void requireZero(int offset, int mask) throws SenseException {
        int bad = cdb[offset] & mask & 0xff;
        if (bad != 0) {
            throw SenseException.invalidCdbField(offset, 31 - Integer.numberOfLeadingZeros(bad));
        }
    }

    /** Fails with INVALID FIELD IN CDB when the CDB is shorter than {@code length} bytes. */
    public void requireCdbLength(int length) throws SenseException {
        if (cdb.length < length) {
            throw SenseException.invalidCdbField(0, -1);
        }
    }

    /** The data-out buffer (possibly empty, never null), as a fresh read-only view. */
    public ByteBuffer dataOut() {
        ByteBuffer d = command.dataOut();
        return d == null ? EMPTY.duplicate() : d.slice().asReadOnlyBuffer();
    }

    /** Bytes of data-out the initiator sent. */
    public int dataOutLength() {
        ByteBuffer d = command.dataOut();
        return d == null ? 0 : d.remaining();
    }

    /**
     * The first {@code length} bytes of a parameter list; fails with PARAMETER LIST LENGTH ERROR when
     * fewer arrived.
     */
    public ByteBuffer parameterList(int length) throws SenseException {
        expectDataOut(length);
        if (dataOutLength() < length) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        return dataOut().limit(length).slice();
    }

    /**
     * Write data for a transfer of {@code length} bytes. When fewer bytes arrived (the initiator's
     * expected transfer length is shorter than the CDB's), only the whole blocks that arrived are
     * returned: the command writes those and the transport reports the overflow (RFC 7143
     * 11.4.5.1). Extra data beyond {@code length} is ignored (underflow).
     */
    public ByteBuffer writeData(long length, int blockSize) {
        expectDataOut(length);
        long usable = Math.min(length, dataOutLength() - dataOutLength() % blockSize);
        return dataOut().limit((int) usable).slice();
    }

    /** The first {@code length} bytes of data-out; fewer is INVALID FIELD IN INFORMATION UNIT (VERIFY with BYTCHK). */
    public ByteBuffer leastData(long length) throws SenseException {
        expectDataOut(length);
        if (dataOutLength() < length) {
            throw SenseException.of(SenseReason.INVALID_FIELD_IN_INFORMATION_UNIT);
        }
        return dataOut().limit((int) length).slice();
    }

    /** Exactly {@code length} bytes of data-out; any other amount is INVALID FIELD IN INFORMATION UNIT (WRITE SAME, VERIFY). */
    public ByteBuffer exactData(long length) throws SenseException {
        expectDataOut(length);
        if (dataOutLength() != length) {
            throw SenseException.of(SenseReason.INVALID_FIELD_IN_INFORMATION_UNIT);
        }
        return dataOut();
    }

    /** GOOD with {@code data} cut to {@code allocationLength}. */
    public static ScsiResponse dataIn(byte[] data, int allocationLength) {
        return dataIn(data, data.length, allocationLength);
    }

    /** GOOD with the first {@code length} bytes of {@code data}, cut to {@code allocationLength}. */
    public static ScsiResponse dataIn(byte[] data, int length, int allocationLength) {
        return ScsiResponse.good(ByteBuffer.wrap(data, 0, Math.min(length, Math.max(0, allocationLength))).slice());
    }

    /** CHECK CONDITION for {@code e}. */
    public static ScsiResponse checkCondition(SenseException e) {
        return new ScsiResponse(ScsiResponse.CHECK_CONDITION, null, e.senseData());
    }
}
