package dev.stowage.core.device;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Linux file-space calls the JDK does not offer: {@code fallocate(PUNCH_HOLE)} to deallocate a
 * range of a file and {@code lseek(SEEK_DATA)} to find whether an offset is allocated. Used by
 * {@link FileBlockDevice} for UNMAP and GET LBA STATUS. Opens its own descriptor of the file.
 *
 * <p><b>Errors:</b> {@link #open} returns null when the platform or file system does not support
 * hole punching; callers then write zeros instead. Later failures return false / true (mapped).
 *
 * <p><b>Threading:</b> thread-safe (positional system calls on one descriptor).
 */
final class HolePuncher implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int SEEK_DATA = 3;

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle LSEEK;

    static {
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle fallocate = null;
        MethodHandle lseek = null;
        try {
            if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                open = linker.downcallHandle(libc.find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                        Linker.Option.firstVariadicArg(2));
                close = linker.downcallHandle(libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                fallocate = linker.downcallHandle(libc.find("fallocate").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                lseek = linker.downcallHandle(libc.find("lseek").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT));
            }
        } catch (Throwable e) {
            open = null;
        }
        OPEN = open;
        CLOSE = close;
        FALLOCATE = fallocate;
        LSEEK = lseek;
    }

    private final int fd;
    private volatile boolean closed;

    private HolePuncher(int fd) {
        this.fd = fd;
    }

    /** A puncher for {@code path} if hole punching works there (probed past the end of the file), else null. */
    static HolePuncher open(Path path, long probeOffset) {
        if (OPEN == null) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toAbsolutePath().toString());
            int fd = (int) OPEN.invokeExact(name, O_RDWR);
            if (fd < 0) {
                return null;
            }
            HolePuncher p = new HolePuncher(fd);
            if (!p.punch(probeOffset, 4096)) {
                p.close();
                return null;
            }
            return p;
        } catch (Throwable e) {
            return null;
        }
    }

    /** Deallocates {@code length} bytes at {@code offset}, keeping the file size. Reads of the range return zeros. */
    boolean punch(long offset, long length) {
        if (closed) {
            return false;
        }
        try {
            return (int) FALLOCATE.invokeExact(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** The offset of the first allocated byte at or after {@code offset}, or -1 when none (all hole to the end). */
    long nextData(long offset) {
        if (closed) {
            return offset;
        }
        try {
            return (long) LSEEK.invokeExact(fd, offset, SEEK_DATA);
        } catch (Throwable e) {
            return offset;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable e) {
                // nothing left to release
            }
        }
    }
}
