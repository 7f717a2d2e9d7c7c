package dev.stowage.cache.stored;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chunks of one in-flight snapshot and the content they had at the cut. A chunk is
 * <i>pending</i> until the snapshot has taken its content ({@link #take}). A writer about to change
 * a pending chunk first calls {@link #preserve}, which copies the chunk's current (cut-time) content
 * aside, so the snapshot still gets exactly the content at the cut (copy-on-write). Copies are kept
 * in memory up to a budget, then in a side file ({@code cow.tmp} in the volume's state directory,
 * never forced: after a crash the snapshot is taken again anyway).
 *
 * <p><b>Threading:</b> thread-safe. Per-chunk order is kept by striped locks: a chunk's
 * {@code preserve} and {@code take} never interleave, so the content a snapshot takes is either
 * read before any write after the cut, or the copy made before the first such write.
 *
 * <p><b>Errors:</b> local I/O failures are {@link IOException}s; a failed preserve fails the
 * write that needed it (the data is unchanged then).
 */
final class SnapshotCut implements AutoCloseable {

    /** Reads a chunk's current content from the primary file. */
    @FunctionalInterface
    interface ChunkReader {
        byte[] read(long chunk) throws IOException;
    }

    private static final int STRIPES = 64;

    private final BitSet pending;
    private final ChunkReader reader;
    private final long memoryBudget;
    private final Path sideFile;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Object copiesLock = new Object();
    private final Map<Long, byte[]> inMemory = new HashMap<>();   // guarded by copiesLock
    private final Map<Long, long[]> inFile = new HashMap<>();     // chunk -> {offset, length}; copiesLock
    private long memoryUsed;                                      // copiesLock
    private long fileEnd;                                         // copiesLock
    private FileChannel side;                                     // copiesLock
    private long preserved;                                       // copiesLock
    private volatile boolean closed;

    SnapshotCut(BitSet chunks, ChunkReader reader, long memoryBudget, Path sideFile) {
        this.pending = (BitSet) chunks.clone();
        this.reader = reader;
        this.memoryBudget = memoryBudget;
        this.sideFile = sideFile;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    private ReentrantLock stripe(long chunk) {
        return stripes[(int) Math.floorMod(chunk, (long) STRIPES)];
    }

    private boolean isPending(long chunk) {
        synchronized (pending) {
            return pending.get(Math.toIntExact(chunk));
        }
    }

    /** Before chunks {@code first..last} are written: keeps the cut-time content of those still pending. */
    void preserve(long first, long last) throws IOException {
        for (long c = first; c <= last; c++) {
            if (closed || !isPending(c)) {
                continue;
            }
            ReentrantLock l = stripe(c);
            l.lock();
            try {
                if (closed || !isPending(c) || hasCopy(c)) {
                    continue;
                }
                store(c, reader.read(c));
            } finally {
                l.unlock();
            }
        }
    }

    /**
     * The content of pending chunk {@code chunk} at the cut; afterwards it is no longer pending
     * and writers change it freely.
     */
    byte[] take(long chunk) throws IOException {
        ReentrantLock l = stripe(chunk);
        l.lock();
        try {
            byte[] copy = removeCopy(chunk);
            byte[] content = copy != null ? copy : reader.read(chunk);
            synchronized (pending) {
                pending.clear(Math.toIntExact(chunk));
            }
            return content;
        } finally {
            l.unlock();
        }
    }

    /** Chunks whose cut-time content was copied aside because a writer came first. */
    long preservedCount() {
        synchronized (copiesLock) {
            return preserved;
        }
    }

    private boolean hasCopy(long chunk) {
        synchronized (copiesLock) {
            return inMemory.containsKey(chunk) || inFile.containsKey(chunk);
        }
    }

    private void store(long chunk, byte[] content) throws IOException {
        synchronized (copiesLock) {
            preserved++;
            if (memoryUsed + content.length <= memoryBudget) {
                inMemory.put(chunk, content);
                memoryUsed += content.length;
                return;
            }
            if (side == null) {
                side = FileChannel.open(sideFile, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            ByteBuffer b = ByteBuffer.wrap(content);
            long at = fileEnd;
            while (b.hasRemaining()) {
                at += side.write(b, at);
            }
            inFile.put(chunk, new long[] {fileEnd, content.length});
            fileEnd = at;
        }
    }

    private byte[] removeCopy(long chunk) throws IOException {
        synchronized (copiesLock) {
            byte[] m = inMemory.remove(chunk);
            if (m != null) {
                memoryUsed -= m.length;
                return m;
            }
            long[] where = inFile.remove(chunk);
            if (where == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate((int) where[1]);
            while (b.hasRemaining()) {
                if (side.read(b, where[0] + b.position()) < 0) {
                    throw new IOException("copy-on-write file " + sideFile + " is shorter than expected");
                }
            }
            return b.array();
        }
    }

    /** Ends the cut: later writes need no copies; the side file is deleted. */
    @Override
    public void close() throws IOException {
        for (ReentrantLock l : stripes) {
            l.lock();
        }
        try {
            closed = true;
        } finally {
            for (ReentrantLock l : stripes) {
                l.unlock();
            }
        }
        synchronized (copiesLock) {
            inMemory.clear();
            inFile.clear();
            if (side != null) {
                side.close();
                side = null;
            }
            Files.deleteIfExists(sideFile);
        }
    }
}
