package dev.stowage.core.device;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thin, sparse in-memory disk: storage is kept in fixed-size chunks that are allocated on the
 * first write of non-zero data and freed again by {@link #unmap}; reads of unallocated chunks
 * return zeros. Used for tests, demos and as a fake for the SCSI command sets.
 *
 * <p><b>Durability:</b> none; {@link #flush} only checks that the device is open. {@link
 * #volatileWriteCache()} is false because a completed write is as durable as it will ever be.
 *
 * <p><b>Threading:</b> thread-safe. Each chunk is guarded by its own monitor, so a write that
 * stays inside one chunk is atomic with respect to reads of that chunk; larger writes are not
 * atomic as a whole (SCSI SIMPLE semantics; callers lock ranges when they need more).
 *
 * <p><b>Errors:</b> {@link DeviceError#LBA_OUT_OF_RANGE} past the end, {@link
 * DeviceError#INVALID_ARGUMENT} for partial blocks, {@link DeviceError#WRITE_PROTECTED} when read-only,
 * {@link DeviceError#NOT_READY} after {@link #close}.
 */
public final class MemoryBlockDevice implements BlockDevice {
    /** Bytes per allocation chunk. */
    static final int CHUNK_SIZE = 64 * 1024;

    private final int blockSize;
    private final AtomicLong blockCount;
    private final boolean readOnly;
    private final int blocksPerChunk;
    private final ConcurrentHashMap<Long, byte[]> chunks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A writable device of {@code blockCount} blocks of {@code blockSize} bytes. */
    public MemoryBlockDevice(int blockSize, long blockCount) {
        this(blockSize, blockCount, false);
    }

    public MemoryBlockDevice(int blockSize, long blockCount, boolean readOnly) {
        if (blockSize != 512 && blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512, 1024, 2048 or 4096, not " + blockSize);
        }
        if (blockCount < 1) {
            throw new IllegalArgumentException("block count must be positive, not " + blockCount);
        }
        this.blockSize = blockSize;
        this.blockCount = new AtomicLong(blockCount);
        this.readOnly = readOnly;
        this.blocksPerChunk = CHUNK_SIZE / blockSize;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount.get();
    }

    /** Grows (or shrinks) the device, as an administrator resizing a volume would. Shrinking drops data past the end. */
    public void resize(long newBlockCount) {
        if (newBlockCount < 1) {
            throw new IllegalArgumentException("block count must be positive, not " + newBlockCount);
        }
        blockCount.set(newBlockCount);
        chunks.keySet().removeIf(c -> c * blocksPerChunk >= newBlockCount);
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public boolean thinProvisioned() {
        return true;
    }

    @Override
    public boolean volatileWriteCache() {
        return false;
    }

    /** Bytes of memory currently allocated for data (a multiple of the chunk size). */
    public long allocatedBytes() {
        return (long) chunks.size() * CHUNK_SIZE;
    }

    /** True when the block is backed by allocated memory (GET LBA STATUS: mapped). */
    @Override
    public boolean isMapped(long lba) {
        return chunks.containsKey(lba / blocksPerChunk);
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws DeviceException {
        long blocks = check(lba, dst.remaining());
        long offset = lba * blockSize;
        long end = offset + blocks * blockSize;
        while (offset < end) {
            long chunkIndex = offset / CHUNK_SIZE;
            int inChunk = (int) (offset % CHUNK_SIZE);
            int n = (int) Math.min(CHUNK_SIZE - inChunk, end - offset);
            byte[] chunk = chunks.get(chunkIndex);
            if (chunk == null) {
                for (int i = 0; i < n; i++) {
                    dst.put((byte) 0);
                }
            } else {
                synchronized (chunk) {
                    dst.put(chunk, inChunk, n);
                }
            }
            offset += n;
        }
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws DeviceException {
        checkWritable();
        long blocks = check(lba, src.remaining());
        long offset = lba * blockSize;
        long end = offset + blocks * blockSize;
        while (offset < end) {
            long chunkIndex = offset / CHUNK_SIZE;
            int inChunk = (int) (offset % CHUNK_SIZE);
            int n = (int) Math.min(CHUNK_SIZE - inChunk, end - offset);
            byte[] chunk = chunks.get(chunkIndex);
            if (chunk == null && allZero(src, n)) {
                src.position(src.position() + n);
            } else {
                if (chunk == null) {
                    chunk = chunks.computeIfAbsent(chunkIndex, k -> new byte[CHUNK_SIZE]);
                }
                synchronized (chunk) {
                    src.get(chunk, inChunk, n);
                }
            }
            offset += n;
        }
    }

    private static boolean allZero(ByteBuffer src, int n) {
        int p = src.position();
        for (int i = 0; i < n; i++) {
            if (src.get(p + i) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void flush() throws DeviceException {
        checkOpen();
    }

    @Override
    public void unmap(long lba, long blocks) throws DeviceException {
        checkWritable();
        checkRange(lba, blocks);
        long offset = lba * blockSize;
        long end = offset + blocks * blockSize;
        while (offset < end) {
            long chunkIndex = offset / CHUNK_SIZE;
            int inChunk = (int) (offset % CHUNK_SIZE);
            int n = (int) Math.min(CHUNK_SIZE - inChunk, end - offset);
            if (n == CHUNK_SIZE) {
                chunks.remove(chunkIndex);
            } else {
                byte[] chunk = chunks.get(chunkIndex);
                if (chunk != null) {
                    synchronized (chunk) {
                        Arrays.fill(chunk, inChunk, inChunk + n, (byte) 0);
                    }
                }
            }
            offset += n;
        }
    }

    @Override
    public void writeSame(long lba, long blocks, ByteBuffer pattern, boolean unmap) throws DeviceException {
        checkWritable();
        if (pattern.remaining() != blockSize) {
            throw new DeviceException(DeviceError.INVALID_ARGUMENT,
                    "write same pattern must be one block (" + blockSize + " bytes), got " + pattern.remaining());
        }
        checkRange(lba, blocks);
        if (allZero(pattern, blockSize)) {
            unmap(lba, blocks);
            return;
        }
        ByteBuffer one = pattern.slice();
        ByteBuffer chunkBuf = ByteBuffer.allocate(CHUNK_SIZE);
        while (chunkBuf.hasRemaining()) {
            chunkBuf.put(one.duplicate());
        }
        long done = 0;
        while (done < blocks) {
            int n = (int) Math.min(blocksPerChunk, blocks - done);
            write(lba + done, chunkBuf.duplicate().clear().limit(n * blockSize), false);
            done += n;
        }
        pattern.position(pattern.limit());
    }

    @Override
    public void close() {
        closed = true;
        chunks.clear();
    }

    private void checkOpen() throws DeviceException {
        if (closed) {
            throw new DeviceException(DeviceError.NOT_READY, "memory device is closed");
        }
    }

    private void checkWritable() throws DeviceException {
        checkOpen();
        if (readOnly) {
            throw new DeviceException(DeviceError.WRITE_PROTECTED, "memory device is read-only");
        }
    }

    private long check(long lba, int bytes) throws DeviceException {
        checkOpen();
        if (bytes % blockSize != 0) {
            throw new DeviceException(DeviceError.INVALID_ARGUMENT,
                    "transfer of " + bytes + " bytes is not a whole number of " + blockSize + "-byte blocks");
        }
        long blocks = bytes / blockSize;
        checkRange(lba, blocks);
        return blocks;
    }

    private void checkRange(long lba, long blocks) throws DeviceException {
        checkOpen();
        long count = blockCount.get();
        if (lba < 0 || blocks < 0 || lba > count || blocks > count - lba) {
            throw new DeviceException(DeviceError.LBA_OUT_OF_RANGE,
                    "blocks " + lba + "+" + blocks + " past the end of a " + count + "-block device");
        }
    }
}
