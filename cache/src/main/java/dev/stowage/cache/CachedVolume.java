package dev.stowage.cache;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.DeviceException;
import java.nio.ByteBuffer;

/**
 * A volume whose primary copy is in the bucket and whose working set is in the {@link CachePool}
 * (a "cached volume"). Thin-provisioned: unmapping whole chunks drops them from the volume.
 * Blocks are 512 or 4096 bytes; the volume is cut into chunks of the pool's slot size.
 *
 * <p><b>Durability:</b> a completed write is in the cache file and journal (page cache);
 * {@link #flush} and FUA writes make them stable with a group-committed force of the data file
 * and the journal. Durability is pool-wide: a flush of one volume also makes the other volumes'
 * completed writes stable.
 *
 * <p><b>Threading and errors:</b> as {@link BlockDevice}; see {@link CachePool} for which
 * {@link DeviceError} means what. After {@link #close} every call fails with NOT_READY; closing
 * a volume does not close the pool, and its dirty data keeps being uploaded.
 */
public final class CachedVolume implements BlockDevice {
    private final CachePool pool;
    private final PoolVolume volume;
    private final int blockSize;
    private final long blockCount;
    private volatile boolean closed;

    CachedVolume(CachePool pool, PoolVolume volume, int blockSize) {
        this.pool = pool;
        this.volume = volume;
        this.blockSize = blockSize;
        this.blockCount = volume.size / blockSize;
    }

    static void checkBlockSize(int blockSize) {
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512 or 4096, got " + blockSize);
        }
    }

    /** The volume's id. */
    public String id() {
        return volume.id;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public boolean thinProvisioned() {
        return true;
    }

    @Override
    public boolean isMapped(long lba) throws DeviceException {
        check(lba, 1);
        return pool.isMapped(volume, lba * blockSize / volume.chunkSize);
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws DeviceException {
        long blocks = blocksOf(dst.remaining());
        check(lba, blocks);
        long pos = lba * blockSize;
        long end = pos + dst.remaining();
        if (end > pos) {
            pool.prefetcher.onRead(volume, pos / volume.chunkSize, (end - 1) / volume.chunkSize);
        }
        while (pos < end) {
            long chunk = pos / volume.chunkSize;
            int off = (int) (pos % volume.chunkSize);
            int n = (int) Math.min(volume.chunkSize - off, end - pos);
            ByteBuffer part = dst.slice(dst.position(), n);
            pool.read(volume, chunk, off, part);
            dst.position(dst.position() + n);
            pos += n;
        }
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws DeviceException {
        checkWritable();
        long blocks = blocksOf(src.remaining());
        check(lba, blocks);
        long pos = lba * blockSize;
        long end = pos + src.remaining();
        long seq = 0;
        while (pos < end) {
            long chunk = pos / volume.chunkSize;
            int off = (int) (pos % volume.chunkSize);
            int n = (int) Math.min(volume.chunkSize - off, end - pos);
            ByteBuffer part = src.slice(src.position(), n);
            seq = Math.max(seq, pool.write(volume, chunk, off, part));
            src.position(src.position() + n);
            pos += n;
        }
        if (fua) {
            pool.sync(seq);
        }
    }

    @Override
    public void flush() throws DeviceException {
        checkOpen();
        pool.sync(pool.journal.lastAppended());
    }

    @Override
    public void unmap(long lba, long blocks) throws DeviceException {
        checkWritable();
        check(lba, blocks);
        long pos = lba * blockSize;
        long end = pos + blocks * blockSize;
        while (pos < end) {
            long chunk = pos / volume.chunkSize;
            int off = (int) (pos % volume.chunkSize);
            int n = (int) Math.min(volume.chunkSize - off, end - pos);
            if (off == 0 && n == volume.chunkLength(chunk)) {
                pool.zero(volume, chunk);
            } else {
                pool.write(volume, chunk, off, ByteBuffer.allocate(n));
            }
            pos += n;
        }
    }

    @Override
    public void writeSame(long lba, long blocks, ByteBuffer pattern, boolean unmap) throws DeviceException {
        checkWritable();
        if (pattern.remaining() != blockSize) {
            throw new DeviceException(DeviceError.INVALID_ARGUMENT, "WRITE SAME pattern must be one " + blockSize
                    + "-byte block, got " + pattern.remaining() + " bytes");
        }
        check(lba, blocks);
        boolean zeros = true;
        for (int i = pattern.position(); i < pattern.limit(); i++) {
            if (pattern.get(i) != 0) {
                zeros = false;
                break;
            }
        }
        if (zeros) {
            unmap(lba, blocks); // zero chunks are omitted anyway: same result, no data written
            return;
        }
        int perBuffer = Math.max(1, volume.chunkSize / blockSize);
        ByteBuffer buf = ByteBuffer.allocate(perBuffer * blockSize);
        for (int i = 0; i < perBuffer; i++) {
            buf.put(pattern.duplicate());
        }
        long done = 0;
        while (done < blocks) {
            int n = (int) Math.min(perBuffer, blocks - done);
            write(lba + done, buf.clear().limit(n * blockSize), false);
            done += n;
        }
    }

    @Override
    public void close() throws DeviceException {
        if (closed) {
            return;
        }
        flush();
        closed = true;
    }

    private long blocksOf(int bytes) throws DeviceException {
        if (bytes % blockSize != 0) {
            throw new DeviceException(DeviceError.INVALID_ARGUMENT, "transfer of " + bytes
                    + " bytes is not a whole number of " + blockSize + "-byte blocks");
        }
        return bytes / blockSize;
    }

    private void check(long lba, long blocks) throws DeviceException {
        checkOpen();
        if (lba < 0 || blocks < 0 || lba > blockCount || blocks > blockCount - lba) {
            throw new DeviceException(DeviceError.LBA_OUT_OF_RANGE, "blocks " + lba + "+" + blocks
                    + " are outside volume " + volume.id + " of " + blockCount + " blocks");
        }
    }

    private void checkOpen() throws DeviceException {
        if (closed || pool.isClosed()) {
            throw new DeviceException(DeviceError.NOT_READY, "volume " + volume.id + " is closed");
        }
    }

    private void checkWritable() throws DeviceException {
        checkOpen();
        pool.guard.checkWritable(volume.id);
    }
}
