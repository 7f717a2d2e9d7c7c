package dev.stowage.cache;

/**
 * Detects sequential read streams of one volume, at chunk granularity. It follows up to
 * {@link #STREAMS} streams (several readers of the same volume, e.g. a backup and a scan); a read
 * continues a stream when it starts in the stream's last chunk or the one after it. A stream that
 * has moved forward over {@link #TRIGGER} chunks in a row asks for the next {@link #DEPTH} chunks
 * after its position, each chunk once. A read that continues no stream starts a new one in place
 * of the least recently used. Random reads rarely land next to a stream twice in a row, so they do
 * not trigger read-ahead.
 *
 * <p><b>Threading:</b> thread-safe (one lock per volume; every call is O({@link #STREAMS})).
 */
final class ReadStreams {
    /** Streams followed per volume. */
    static final int STREAMS = 4;
    /** Chunk steps forward in a row before read-ahead starts. */
    static final int TRIGGER = 2;
    /** Chunks read ahead of a stream's position. */
    static final int DEPTH = 8;

    private final long[] last = new long[STREAMS];
    private final int[] run = new int[STREAMS];
    private final long[] aheadTo = new long[STREAMS];
    private final long[] used = new long[STREAMS];
    private final boolean[] live = new boolean[STREAMS];
    private long tick;

    /**
     * A read of chunks {@code first..last} (inclusive) of a volume of {@code chunkCount} chunks;
     * returns {@code {from, to}} (inclusive) to read ahead, or null.
     */
    synchronized long[] onRead(long first, long lastChunk, long chunkCount) {
        tick++;
        int s = -1;
        for (int i = 0; i < STREAMS; i++) {
            if (live[i] && first >= last[i] && first <= last[i] + 1) {
                s = i;
                break;
            }
        }
        if (s < 0) {
            s = leastRecentlyUsed();
            live[s] = true;
            last[s] = lastChunk;
            run[s] = (int) Math.min(lastChunk - first, TRIGGER);
            aheadTo[s] = lastChunk;
            used[s] = tick;
            return null;
        }
        used[s] = tick;
        if (lastChunk > last[s]) {
            run[s] = (int) Math.min((long) run[s] + (lastChunk - last[s]), Integer.MAX_VALUE);
            last[s] = lastChunk;
        }
        if (run[s] < TRIGGER) {
            return null;
        }
        long from = Math.max(aheadTo[s], last[s]) + 1;
        long to = Math.min(last[s] + DEPTH, chunkCount - 1);
        if (from > to) {
            return null;
        }
        aheadTo[s] = to;
        return new long[] {from, to};
    }

    private int leastRecentlyUsed() {
        int best = 0;
        for (int i = 0; i < STREAMS; i++) {
            if (!live[i]) {
                return i;
            }
            if (used[i] < used[best]) {
                best = i;
            }
        }
        return best;
    }
}
