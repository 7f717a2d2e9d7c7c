package dev.stowage.core.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * A disk stored in one local file (or block device node), one logical block after the other.
 * Positional reads and writes through a {@link FileChannel}; the page cache is the volatile write
 * cache: {@link #flush} is {@code force(false)}, a FUA write is write + force. {@link #unmap} punches
 * a hole where the file system supports it (then the device is thin-provisioned and reports
 * unmapped ranges), otherwise it writes zeros. Hole punching calls libc through the foreign
 * function API: run the JVM with {@code --enable-native-access=ALL-UNNAMED} (or the module name)
 * to avoid the JDK's restricted-method warning; where native access is refused the device falls
 * back to writing zeros.
 *
 * <p><b>Threading:</b> thread-safe (positional I/O only).
 *
 * <p><b>Errors:</b> opening a missing file, a file that is not a whole number of blocks, or an
 * empty file fails with a message naming the file and what to fix. I/O errors on read are
 * {@link DeviceError#MEDIUM_ERROR_READ}, on write or force {@link DeviceError#MEDIUM_ERROR_WRITE};
 * after {@link #close} every call fails with {@link DeviceError#NOT_READY}.
 */
public final class FileBlockDevice implements BlockDevice {
    private static final int ZERO_BUFFER = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final int blockSize;
    private final long blockCount;
    private final boolean readOnly;
    private final HolePuncher puncher;
    private volatile boolean closed;

    private FileBlockDevice(Path path, FileChannel channel, int blockSize, long blockCount, boolean readOnly) {
        this.path = path;
        this.channel = channel;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.readOnly = readOnly;
        this.puncher = readOnly ? null : HolePuncher.open(path, blockCount * blockSize);
    }

    /** Opens an existing file whose size is a positive multiple of {@code blockSize}. */
    public static FileBlockDevice open(Path path, int blockSize, boolean readOnly) throws DeviceException {
        checkBlockSize(blockSize);
        Set<StandardOpenOption> opts = readOnly ? EnumSet.of(StandardOpenOption.READ)
                : EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel ch;
        try {
            ch = FileChannel.open(path, opts);
        } catch (NoSuchFileException e) {
            throw new DeviceException(DeviceError.NOT_READY, "disk file " + path + " does not exist: create it first", e);
        } catch (IOException e) {
            throw new DeviceException(DeviceError.NOT_READY, "cannot open disk file " + path + ": " + e.getMessage(), e);
        }
        long size;
        try {
            size = ch.size();
        } catch (IOException e) {
            closeQuietly(ch);
            throw new DeviceException(DeviceError.NOT_READY, "cannot read the size of disk file " + path, e);
        }
        if (size == 0 || size % blockSize != 0) {
            closeQuietly(ch);
            throw new DeviceException(DeviceError.INVALID_ARGUMENT, "disk file " + path + " is " + size
                    + " bytes, not a positive multiple of the " + blockSize + "-byte block size: resize it");
        }
        return new FileBlockDevice(path, ch, blockSize, size / blockSize, readOnly);
    }

    /** Creates a new sparse file of {@code blockCount} blocks (fails if it exists) and opens it read-write. */
    public static FileBlockDevice create(Path path, int blockSize, long blockCount) throws DeviceException {
        checkBlockSize(blockSize);
        if (blockCount < 1) {
            throw new IllegalArgumentException("block count must be positive, not " + blockCount);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), blockCount * blockSize - 1);
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new DeviceException(DeviceError.INVALID_ARGUMENT, "disk file " + path + " already exists", e);
        } catch (IOException e) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "cannot create disk file " + path + ": " + e.getMessage(), e);
        }
        return open(path, blockSize, false);
    }

    private static void checkBlockSize(int blockSize) {
        if (blockSize != 512 && blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
            throw new IllegalArgumentException("block size must be 512, 1024, 2048 or 4096, not " + blockSize);
        }
    }

    public Path path() {
        return path;
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
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public boolean thinProvisioned() {
        return puncher != null;
    }

    @Override
    public boolean isMapped(long lba) throws DeviceException {
        checkRange(lba, 1);
        if (puncher == null) {
            return true;
        }
        long off = lba * blockSize;
        long next = puncher.nextData(off);
        return next >= 0 && next < off + blockSize;
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws DeviceException {
        checkRange(lba, blocksOf(dst.remaining()));
        long pos = lba * blockSize;
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    throw new DeviceException(DeviceError.MEDIUM_ERROR_READ, "disk file " + path + " is shorter than expected");
                }
                pos += n;
            }
        } catch (ClosedChannelException e) {
            throw new DeviceException(DeviceError.NOT_READY, "disk file " + path + " is closed", e);
        } catch (IOException e) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_READ, "read of " + path + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws DeviceException {
        checkWritable();
        checkRange(lba, blocksOf(src.remaining()));
        long pos = lba * blockSize;
        try {
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
            if (fua) {
                channel.force(false);
            }
        } catch (ClosedChannelException e) {
            throw new DeviceException(DeviceError.NOT_READY, "disk file " + path + " is closed", e);
        } catch (IOException e) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "write of " + path + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws DeviceException {
        checkOpen();
        if (readOnly) {
            return;
        }
        try {
            channel.force(false);
        } catch (ClosedChannelException e) {
            throw new DeviceException(DeviceError.NOT_READY, "disk file " + path + " is closed", e);
        } catch (IOException e) {
            throw new DeviceException(DeviceError.MEDIUM_ERROR_WRITE, "flush of " + path + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void unmap(long lba, long blocks) throws DeviceException {
        checkWritable();
        checkRange(lba, blocks);
        if (blocks == 0) {
            return;
        }
        if (puncher != null && puncher.punch(lba * blockSize, blocks * blockSize)) {
            return;
        }
        writeZeros(lba, blocks);
    }

    private void writeZeros(long lba, long blocks) throws DeviceException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_BUFFER, blocks * blockSize));
        long done = 0;
        while (done < blocks) {
            long n = Math.min(blocks - done, zeros.capacity() / blockSize);
            write(lba + done, zeros.clear().limit((int) (n * blockSize)), false);
            done += n;
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
        boolean zero = true;
        for (int i = pattern.position(); i < pattern.limit(); i++) {
            if (pattern.get(i) != 0) {
                zero = false;
                break;
            }
        }
        if (zero && unmap) {
            unmap(lba, blocks);
            pattern.position(pattern.limit());
            return;
        }
        int perBuffer = (int) Math.min(blocks, Math.max(1, ZERO_BUFFER / blockSize));
        ByteBuffer buf = ByteBuffer.allocate(perBuffer * blockSize);
        for (int i = 0; i < perBuffer; i++) {
            buf.put(pattern.duplicate());
        }
        long done = 0;
        while (done < blocks) {
            long n = Math.min(blocks - done, perBuffer);
            write(lba + done, buf.clear().limit((int) (n * blockSize)), false);
            done += n;
        }
        pattern.position(pattern.limit());
    }

    @Override
    public void close() throws DeviceException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            if (puncher != null) {
                puncher.close();
            }
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing after a failure: the first error is the one reported
        }
    }

    private void checkOpen() throws DeviceException {
        if (closed) {
            throw new DeviceException(DeviceError.NOT_READY, "disk file " + path + " is closed");
        }
    }

    private void checkWritable() throws DeviceException {
        checkOpen();
        if (readOnly) {
            throw new DeviceException(DeviceError.WRITE_PROTECTED, "disk file " + path + " is open read-only");
        }
    }

    private long blocksOf(int bytes) throws DeviceException {
        if (bytes % blockSize != 0) {
            throw new DeviceException(DeviceError.INVALID_ARGUMENT,
                    "transfer of " + bytes + " bytes is not a whole number of " + blockSize + "-byte blocks");
        }
        return bytes / blockSize;
    }

    private void checkRange(long lba, long blocks) throws DeviceException {
        checkOpen();
        if (lba < 0 || blocks < 0 || lba > blockCount || blocks > blockCount - lba) {
            throw new DeviceException(DeviceError.LBA_OUT_OF_RANGE,
                    "blocks " + lba + "+" + blocks + " past the end of " + path + " (" + blockCount + " blocks)");
        }
    }

    /** True when {@code path} exists and is a regular file (for configuration checks). */
    public static boolean exists(Path path) {
        return Files.isRegularFile(path);
    }
}
