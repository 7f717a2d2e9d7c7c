package dev.stowage.iscsi.session;

import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.PduEncoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes PDUs to one connection, one whole PDU at a time, and numbers its status (StatSN).
 *
 * <p>Responses are built inside the write lock by a {@link Builder} that receives the StatSN and
 * the session's current ExpCmdSN/MaxCmdSN, so the numbers on the wire always increase in write
 * order. A task's whole sequence of PDUs (Data-In..., status) can be written under one
 * {@link #lock()} so tasks do not interleave.
 *
 * <p><b>Threading:</b> thread-safe. <b>Errors:</b> an {@link IOException} from the channel is
 * thrown to the caller and every later write fails the same way.
 */
public final class PduWriter {

    /** The sequence numbers a response carries. */
    public record Numbers(int statSn, int expCmdSn, int maxCmdSn) {
    }

    /** Builds one PDU from the numbers current at write time. */
    @FunctionalInterface
    public interface Builder {
        Pdu build(Numbers numbers);
    }

    /** Supplies ExpCmdSN and MaxCmdSN. */
    public interface Window {
        int expCmdSn();

        int maxCmdSn();
    }

    private final GatheringByteChannel channel;
    private final PduEncoder encoder = new PduEncoder();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Window window;
    private int statSn;
    private IOException failure;

    public PduWriter(GatheringByteChannel channel, int firstStatSn, Window window) {
        this.channel = channel;
        this.statSn = firstStatSn;
        this.window = window;
    }

    /** Switches to the session's window once the session exists. */
    public void setWindow(Window window) {
        this.window = window;
    }

    public void setDigests(boolean header, boolean data) {
        lock.lock();
        try {
            encoder.setDigests(header, data);
        } finally {
            lock.unlock();
        }
    }

    /** The lock that keeps a task's PDU sequence together; hold it around several sends. */
    public ReentrantLock lock() {
        return lock;
    }

    /** The StatSN the next status will carry. */
    public int nextStatSn() {
        lock.lock();
        try {
            return statSn;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Builds and writes one PDU.
     *
     * @param consumesStatSn true for PDUs that carry status (StatSN advances after them)
     */
    public void send(Builder builder, boolean consumesStatSn) throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
            Window w = window;
            Pdu pdu = builder.build(new Numbers(statSn, w.expCmdSn(), w.maxCmdSn()));
            if (consumesStatSn) {
                statSn++;
            }
            ByteBuffer[] parts = encoder.encode(pdu);
            long total = parts[0].remaining() + (long) parts[1].remaining() + parts[2].remaining();
            try {
                while (total > 0) {
                    total -= channel.write(parts);
                }
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }
}
