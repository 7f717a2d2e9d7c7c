package dev.stowage.iscsi.session;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The session's command numbering window (RFC 7143 section 4.2.2.1): ExpCmdSN is the next
 * CmdSN due, MaxCmdSN = ExpCmdSN + depth - 1 - (tasks in flight) the last one the initiator may
 * send. Counting tasks in flight makes the window a credit: an initiator never has more than
 * {@code depth} tasks outstanding, and MaxCmdSN never goes backwards (a new command moves
 * ExpCmdSN and the in-flight count together; a finished task opens one slot).
 *
 * <ul>
 *   <li>An immediate command is delivered at once and does not advance ExpCmdSN.</li>
 *   <li>A command with CmdSN = ExpCmdSN is delivered, and with it every held command that now
 *       follows in sequence.</li>
 *   <li>A command ahead of ExpCmdSN but inside the window is held until the gap is filled.</li>
 *   <li>A command outside the window (old or beyond MaxCmdSN) is dropped, as the RFC asks.</li>
 * </ul>
 *
 * <p><b>Threading:</b> thread-safe (synchronized); callers deliver the returned items in order.
 *
 * @param <T> what is being ordered (a PDU)
 */
public final class CommandWindow<T> {
    private final int depth;
    private final TreeMap<Integer, T> held = new TreeMap<>(SerialNumbers::compare);
    private int expCmdSn;
    private int inFlight;
    /** The highest MaxCmdSN computed so far: a command is delivered (ExpCmdSN + 1) before its task is
     * counted in flight, and a PDU built in between must not let MaxCmdSN step back afterwards, or a
     * command the initiator was allowed to send would be dropped (and the initiator would wait forever). */
    private int maxSeen;

    public CommandWindow(int firstCmdSn, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("window depth must be at least 1");
        }
        this.expCmdSn = firstCmdSn;
        this.depth = depth;
        this.maxSeen = firstCmdSn - 1 + depth;
    }

    public synchronized int expCmdSn() {
        return expCmdSn;
    }

    public synchronized int maxCmdSn() {
        int max = expCmdSn - 1 + Math.max(0, depth - inFlight);
        if (SerialNumbers.lessThan(maxSeen, max)) {
            maxSeen = max;
        }
        return maxSeen;
    }

    /** A task started (+1) or ended (-1). */
    public synchronized void inFlight(int delta) {
        inFlight += delta;
    }

    /** Number of commands held for a gap. */
    public synchronized int held() {
        return held.size();
    }

    /**
     * Offers one numbered command.
     *
     * @return the commands now deliverable, in order (empty when held or dropped)
     */
    public synchronized List<T> offer(int cmdSn, boolean immediate, T item) {
        if (immediate) {
            return List.of(item);
        }
        if (SerialNumbers.lessThan(cmdSn, expCmdSn) || SerialNumbers.lessThan(maxCmdSn(), cmdSn)) {
            return List.of();
        }
        if (cmdSn != expCmdSn) {
            held.putIfAbsent(cmdSn, item);
            return List.of();
        }
        List<T> ready = new ArrayList<>();
        ready.add(item);
        expCmdSn++;
        T next;
        while ((next = held.remove(expCmdSn)) != null) {
            ready.add(next);
            expCmdSn++;
        }
        return ready;
    }
}
