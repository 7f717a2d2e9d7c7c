package dev.stowage.core.device;

import java.nio.ByteBuffer;

/**
 * A disk a front end exports: a fixed number of logical blocks of one size. The iSCSI target's
 * SBC command set talks only to this; file-backed LUNs, cached volumes and stored volumes
 * implement it.
 *
 * <p><b>Addressing:</b> {@code lba} is a logical block address; buffers carry whole blocks
 * ({@code remaining()} a multiple of {@link #blockSize()}). Callers check ranges before calling;
 * an implementation still rejects any access past {@link #blockCount()} with
 * {@link DeviceError#LBA_OUT_OF_RANGE}.
 *
 * <p><b>Durability:</b> a completed {@link #write} is visible to every later read but may sit in a
 * volatile cache. It is on stable storage (survives a crash of the process or the host) once
 * {@link #flush()} has returned for it, or when it was written with {@code fua} set.
 *
 * <p><b>Threading:</b> every method may be called from many threads at once. Overlapping
 * concurrent writes land in an unspecified order (SCSI SIMPLE task semantics); callers that
 * need order wait for completion. Calls block until done.
 *
 * <p><b>Errors:</b> every failure is a {@link DeviceException} with a {@link DeviceError} reason
 * that the front end maps to its wire code (SCSI sense, NFS status) in one place.
 */
public interface BlockDevice extends AutoCloseable {

    /** Bytes per logical block (512 or 4096). Constant for the device's life. */
    int blockSize();

    /** Number of logical blocks. May grow when an administrator resizes the volume. */
    long blockCount();

    /** True when writes are refused with {@link DeviceError#WRITE_PROTECTED}. */
    default boolean readOnly() {
        return false;
    }

    /** True when {@link #unmap} frees space (thin provisioning) rather than only writing zeros. */
    default boolean thinProvisioned() {
        return false;
    }

    /**
     * True when completed writes may sit in a volatile cache until {@link #flush} (SCSI: the caching
     * mode page reports WCE=1); false when every completed write is already as durable as it gets.
     */
    default boolean volatileWriteCache() {
        return true;
    }

    /**
     * True when {@code lba} is backed by storage; false when it is deallocated (reads return zeros).
     * Devices that do not track allocation answer true. Used for SCSI GET LBA STATUS.
     */
    default boolean isMapped(long lba) throws DeviceException {
        return true;
    }

    /** Reads {@code dst.remaining()} bytes starting at {@code lba} into {@code dst}, advancing its position. */
    void read(long lba, ByteBuffer dst) throws DeviceException;

    /**
     * Writes {@code src.remaining()} bytes starting at {@code lba}, advancing its position.
     *
     * @param fua force unit access: return only once the data is on stable storage
     */
    void write(long lba, ByteBuffer src, boolean fua) throws DeviceException;

    /** Makes every completed write stable (SYNCHRONIZE CACHE, NFS COMMIT). */
    void flush() throws DeviceException;

    /**
     * Tells the device the blocks are no longer used. Later reads of them return zeros.
     * Devices that are not thin-provisioned write zeros.
     */
    void unmap(long lba, long blocks) throws DeviceException;

    /**
     * Writes {@code pattern} (exactly one block) to every block of the range; with {@code unmap}
     * set and an all-zero pattern, a thin device may deallocate instead.
     */
    void writeSame(long lba, long blocks, ByteBuffer pattern, boolean unmap) throws DeviceException;

    /** Flushes and releases files and memory. Further calls fail with {@link DeviceError#NOT_READY}. */
    @Override
    void close() throws DeviceException;
}
