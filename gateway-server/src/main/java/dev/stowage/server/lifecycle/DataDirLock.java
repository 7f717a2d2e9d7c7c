package dev.stowage.server.lifecycle;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory ({@code <data_dir>/stowage.lock}), so two gateways never
 * share one cache or demo store. The OS drops the lock when the process dies, so a crash never
 * leaves a stale lock behind. The file records the owner's pid for the error message.
 *
 * <p>Thread-safe for {@link #close()}; acquire once per process and data directory.
 */
public final class DataDirLock implements AutoCloseable {

    /** Thrown when another process holds the lock. */
    public static final class LockedException extends Exception {
        public LockedException(String message) {
            super(message);
        }
    }

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates the directory if needed and locks it; fails with a one-line message when it is in use. */
    public static DataDirLock acquire(Path dataDir) throws LockedException, IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("stowage.lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String owner = readOwner(ch);
            ch.close();
            throw new LockedException("data directory " + dataDir + " is in use by another Stowage process"
                    + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                    + "; stop it first, or give this one another data_dir (or STOWAGE_DATA_DIR)");
        }
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return new DataDirLock(ch, lock);
    }

    private static String readOwner(FileChannel ch) {
        try {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(32);
            ch.read(buf, 0);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException ignored) {
            // the OS releases the lock with the process anyway
        }
    }
}
