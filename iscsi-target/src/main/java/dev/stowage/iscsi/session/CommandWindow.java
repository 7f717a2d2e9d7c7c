package dev.stowage.iscsi.session;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The session's command numbering window (RFC 7143 section 4.2.2.1): ExpCmdSN is the next
 * CmdSN due, MaxCmdSN = ExpCmdSN + depth - 1 - (tasks in flight) the last one the initiator may
 * send. Counting tasks in flight makes the window a credit: a finished task opens one slot, so
 * an initiator has about {@code depth} tasks outstanding at most (a little more while commands
 * are between arrival and registration), and MaxCmdSN never goes backwards.
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
    private int advertised;

    public CommandWindow(int firstCmdSn, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("window depth must be at least 1");
        }
        this.expCmdSn = firstCmdSn;
        this.depth = depth;
        this.advertised = firstCmdSn + depth - 1;
    }

    public synchronized int expCmdSn() {
        return expCmdSn;
    }

    /**
     * The current MaxCmdSN. It never goes backwards: a value once handed out stays valid even if
     * a task starts before the CmdSN it used arrives (an immediate command, or a response written
     * between a command's arrival and its registration), so no command the initiator was
     * allowed to send is ever dropped.
     */
    public synchronized int maxCmdSn() {
        int credit = expCmdSn - 1 + Math.max(0, depth - inFlight);
        if (SerialNumbers.lessThan(advertised, credit)) {
            advertised = credit;
        }
        return advertised;
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
