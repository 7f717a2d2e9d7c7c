package dev.stowage.iscsi.session;

import dev.stowage.iscsi.login.LoginContext;
import dev.stowage.iscsi.login.LoginStateMachine;
import dev.stowage.iscsi.login.SessionParameters;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.LoginRequest;
import dev.stowage.iscsi.pdu.NopIn;
import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.PduDecoder;
import dev.stowage.iscsi.pdu.PduFormatException;
import dev.stowage.iscsi.pdu.Reject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One TCP connection: reads PDUs, runs the login, then hands full-feature PDUs to its
 * {@link Session}. The reader reuses one direct read buffer; the decoder puts Data-Out payloads
 * straight into their task's buffer.
 *
 * <pre>
 *   LOGIN (only Login Requests; anything else closes the connection)
 *     -> FULL_FEATURE (after the final Login Response; digests switch on)
 *     -> CLOSED (logout, peer close, fatal framing error, server stop)
 * </pre>
 *
 * Framing errors that keep the stream in step (bad opcode, data digest) are answered with a
 * Reject; those that lose it (oversized DataSegmentLength, header digest) close the connection.
 * The server closes connections that do not log in in time, and pings idle ones
 * ({@link #keepAlive}).
 *
 * <p><b>Threading:</b> {@link #run} is the reader (one thread). {@link #close} may be called from
 * any thread.
 */
public final class Connection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final int LOGIN_MAX_SEGMENT = 8192;
    private static final int LOGIN_READ_BUFFER = 16 * 1024;
    private static final int READ_BUFFER = 256 * 1024;

    private final SocketChannel channel;
    private final LoginContext loginContext;
    private final SessionTable sessions;
    private final Portal portal;
    private final Runnable onClose;
    private final PduDecoder decoder = new PduDecoder(LOGIN_MAX_SEGMENT);
    private final LoginStateMachine login;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong bufferedWrites = new AtomicLong();
    private final WriteBufferPool buffers = new WriteBufferPool();
    private final String peer;
    private volatile PduWriter writer;
    private volatile Session session;
    private volatile boolean loggedOut;
    private volatile boolean heardFrom;
    private boolean pingOutstanding;
    private int cid;

    public Connection(SocketChannel channel, LoginContext loginContext, SessionTable sessions, Portal portal,
                      SecureRandom random, Runnable onClose) {
        this.channel = channel;
        this.loginContext = loginContext;
        this.sessions = sessions;
        this.portal = portal;
        this.onClose = onClose;
        this.login = new LoginStateMachine(loginContext, random);
        String p;
        try {
            p = String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            p = "?";
        }
        this.peer = p;
    }

    @Override
    public void run() {
        // Small until the initiator has logged in: unauthenticated connections cost little.
        ByteBuffer in = ByteBuffer.allocateDirect(LOGIN_READ_BUFFER).flip();
        try {
            while (!closed.get()) {
                Pdu pdu;
                try {
                    pdu = decoder.decode(in);
                } catch (PduFormatException e) {
                    if (!framingError(e)) {
                        return;
                    }
                    continue;
                }
                if (pdu == null) {
                    in.compact();
                    int n = channel.read(in);
                    in.flip();
                    if (n < 0) {
                        if (!decoder.idle()) {
                            LOG.debug("{}: connection closed in the middle of a PDU", peer);
                        }
                        return;
                    }
                    continue;
                }
                heardFrom = true;
                Session s = session;
                if (s == null) {
                    if (!loginStep(pdu)) {
                        return;
                    }
                    if (session != null) {
                        in = ByteBuffer.allocateDirect(READ_BUFFER).put(in).flip();
                    }
                } else {
                    s.handle(this, pdu);
                }
            }
        } catch (IOException e) {
            if (!closed.get()) {
                LOG.debug("{}: connection lost: {}", peer, e.toString());
            }
        } catch (RuntimeException e) {
            LOG.error("{}: internal error, closing the connection", peer, e);
        } finally {
            close();
        }
    }

    /** Returns false when the connection must end. */
    private boolean framingError(PduFormatException e) throws IOException {
        LOG.info("{}: {}", peer, e.getMessage());
        if (session == null || writer == null) {
            return false;
        }
        int reason = switch (e.kind()) {
            case DATA_DIGEST -> Reject.DATA_DIGEST_ERROR;
            case INVALID_FIELD -> Reject.INVALID_PDU_FIELD;
            default -> Reject.PROTOCOL_ERROR;
        };
        ByteBuffer header = e.header();
        if (header != null) {
            rejectHeader(reason, header);
        }
        return !e.fatal();
    }

    private boolean loginStep(Pdu pdu) throws IOException {
        if (!(pdu instanceof LoginRequest request)) {
            LOG.info("{}: {} before login completed; closing", peer, pdu.opcode());
            return false;
        }
        if (writer == null) {
            cid = request.cid();
            writer = new PduWriter(channel, request.expStatSn(), new PduWriter.Window() {
                @Override
                public int expCmdSn() {
                    return request.cmdSn();
                }

                @Override
                public int maxCmdSn() {
                    return request.cmdSn();
                }
            });
        }
        LoginStateMachine.Step step = login.process(request);
        Session s = null;
        SessionParameters p = null;
        if (step.outcome() == LoginStateMachine.Outcome.FULL_FEATURE) {
            s = sessions.get(step.response().tsih());
            if (s == null) {
                return false;
            }
            // Everything the full feature phase needs is in place before the initiator can see the
            // final response (other threads look at the session: timers, server stop).
            p = step.result().parameters();
            decoder.setMaxDataSegmentLength(p.targetMaxRecvDataSegmentLength());
            decoder.setDigests(p.headerDigest(), p.dataDigest());
            s.attach(this);
            decoder.setSegmentBuffers(s.commands()::bufferFor);
            session = s;
        }
        writer.lock().lock();
        try {
            writer.send(n -> step.response(), true);
            if (p != null) {
                writer.setDigests(p.headerDigest(), p.dataDigest());    // from the next PDU on, atomically
            }
        } finally {
            writer.lock().unlock();
        }
        switch (step.outcome()) {
            case FAILED -> {
                return false;
            }
            case CONTINUE -> {
                return true;
            }
            default -> {
                LOG.info("{}: {} logged in to {} (TSIH {})", peer, p.initiatorName(),
                        s.discovery() ? "discovery" : s.target().name(), s.tsih());
                return true;
            }
        }
    }

    /** True once the connection is in full feature phase. */
    public boolean loggedIn() {
        return session != null;
    }

    /**
     * Keep-alive, called periodically: a connection that sent nothing since the last call gets a
     * NOP-In ping; one that stayed silent after a ping is closed as dead.
     */
    public void keepAlive() {
        if (closed.get() || session == null) {
            return;
        }
        synchronized (this) {
            if (heardFrom) {
                heardFrom = false;
                pingOutstanding = false;
                return;
            }
            if (pingOutstanding) {
                LOG.info("{}: no answer to NOP-In ping; closing the connection", peer);
                close();
                return;
            }
            pingOutstanding = true;
        }
        try {
            int tag = session.newTransferTag();
            writer.send(n -> new NopIn(0, Bhs.RESERVED_TAG, tag, n.statSn(), n.expCmdSn(), n.maxCmdSn(), null), false);
        } catch (IOException e) {
            close();
        }
    }

    PduWriter writer() {
        return writer;
    }

    int cid() {
        return cid;
    }

    InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return new InetSocketAddress(0);
        }
    }

    WriteBufferPool buffers() {
        return buffers;
    }

    /** Reserves memory for a write's data; false when the connection's budget is spent. */
    boolean reserve(long bytes) {
        while (true) {
            long used = bufferedWrites.get();
            if (used > 0 && used + bytes > portal.writeBudget()) {
                return false;
            }
            if (bufferedWrites.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        bufferedWrites.addAndGet(-bytes);
    }

    /** Rejects a well-framed PDU, quoting its header. */
    void reject(int reason, Pdu pdu, String why) throws IOException {
        LOG.info("{}: reject (reason 0x{}): {}", peer, Integer.toHexString(reason), why);
        ByteBuffer header = ByteBuffer.allocate(Bhs.SIZE);
        pdu.writeHeader(header);
        Bhs.putU24(header, 5, pdu.data().remaining());
        rejectHeader(reason, header);
    }

    private void rejectHeader(int reason, ByteBuffer header) throws IOException {
        writer.send(n -> new Reject(reason, n.statSn(), n.expCmdSn(), n.maxCmdSn(), 0, header), false);
    }

    /** The session logged out: the reader stops after the Logout Response. */
    void closeAfterLogout() {
        loggedOut = true;
    }

    public boolean loggedOut() {
        return loggedOut;
    }

    /** Closes the socket and ends the session. Idempotent. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Session s = session;
        if (s != null) {
            s.close(loggedOut ? "logout" : "connection closed");    // before the peer can see the close
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("{}: close failed: {}", peer, e.toString());
        }
        onClose.run();
    }
}
