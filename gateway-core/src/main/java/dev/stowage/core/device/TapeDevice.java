package dev.stowage.core.device;

import java.nio.ByteBuffer;

/**
 * A sequential-access tape drive with the cartridge currently loaded (first sketch; the VTL issue
 * grows it). The SSC command set of the iSCSI target talks only to this.
 *
 * <p><b>Model:</b> a cartridge is a sequence of logical objects: data blocks (variable length, or
 * all of one length in fixed-block mode) and filemarks, followed by end of data. The position is
 * a logical object number counted from the beginning of the partition.
 *
 * <p><b>Threading:</b> a drive executes one command at a time in arrival order; implementations
 * are thread-safe but serialize internally. Calls block until done.
 *
 * <p><b>Errors:</b> {@link DeviceException} with {@link DeviceError#NO_MEDIUM}, {@link DeviceError#FILEMARK},
 * {@link DeviceError#END_OF_DATA}, {@link DeviceError#END_OF_MEDIUM}, {@link DeviceError#WRITE_PROTECTED},
 * medium errors and {@link DeviceError#NOT_READY}.
 */
public interface TapeDevice {

    /** What a read found at the current position. */
    enum ReadOutcome { DATA, FILEMARK, END_OF_DATA }

    /**
     * Result of reading one block.
     *
     * @param outcome     what was found
     * @param blockLength actual length of the block on tape (0 for a filemark or end of data); a
     *                    value larger than the buffer means the block was truncated (SCSI ILI)
     */
    record ReadResult(ReadOutcome outcome, int blockLength) {
    }

    /** Block length limits the drive accepts (READ BLOCK LIMITS). */
    record BlockLimits(int minimum, long maximum, int granularityLog2) {
    }

    boolean mediumLoaded();

    /** Barcode of the loaded cartridge; {@link DeviceError#NO_MEDIUM} when none. */
    String barcode() throws DeviceException;

    boolean writeProtected() throws DeviceException;

    BlockLimits blockLimits();

    /** Logical object number of the current position. */
    long position() throws DeviceException;

    /** True once writing has passed the early-warning point near the end of the medium. */
    boolean pastEarlyWarning() throws DeviceException;

    /** Reads the next block into {@code dst} (up to {@code dst.remaining()} bytes). */
    ReadResult read(ByteBuffer dst) throws DeviceException;

    /** Appends one block at the current position; everything after it is discarded (end of data moves). */
    void write(ByteBuffer block) throws DeviceException;

    /** Writes {@code count} filemarks at the current position (0 only flushes buffered data). */
    void writeFilemarks(int count) throws DeviceException;

    /** Moves over {@code count} blocks (negative: backwards); stops at a filemark with {@link DeviceError#FILEMARK}. */
    void spaceBlocks(long count) throws DeviceException;

    /** Moves over {@code count} filemarks (negative: backwards). */
    void spaceFilemarks(long count) throws DeviceException;

    /** Moves to end of data (to append). */
    void spaceToEndOfData() throws DeviceException;

    /** Moves to logical object number {@code objectNumber}. */
    void locate(long objectNumber) throws DeviceException;

    void rewind() throws DeviceException;

    /** Erases from the current position to the end of the medium. */
    void erase() throws DeviceException;

    /** Makes every written block and filemark stable (implicit before rewind and unload). */
    void flush() throws DeviceException;

    /** Rewinds and ejects the cartridge so the changer can move it. */
    void unload() throws DeviceException;
}
