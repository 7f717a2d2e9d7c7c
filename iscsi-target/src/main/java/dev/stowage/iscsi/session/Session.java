package dev.stowage.iscsi.session;

import dev.stowage.iscsi.login.LoginResult;
import dev.stowage.iscsi.login.LoginTarget;
import dev.stowage.iscsi.login.SessionParameters;
import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.DataOut;
import dev.stowage.iscsi.pdu.LoginRequest;
import dev.stowage.iscsi.pdu.LogoutRequest;
import dev.stowage.iscsi.pdu.LogoutResponse;
import dev.stowage.iscsi.pdu.NopIn;
import dev.stowage.iscsi.pdu.NopOut;
import dev.stowage.iscsi.pdu.Pdu;
import dev.stowage.iscsi.pdu.Reject;
import dev.stowage.iscsi.pdu.ScsiCommandPdu;
import dev.stowage.iscsi.pdu.SnackRequest;
import dev.stowage.iscsi.pdu.TaskMgmtRequest;
import dev.stowage.iscsi.pdu.TextRequest;
import dev.stowage.iscsi.pdu.UnknownPdu;
import dev.stowage.iscsi.scsi.ItNexus;
import dev.stowage.iscsi.scsi.ScsiTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One iSCSI session in full feature phase: the I_T nexus, the CmdSN window, the task set and the
 * (single) connection. Routes every PDU of the full feature phase: numbered requests go through
 * the {@link CommandWindow} and are handled in CmdSN order; Data-Out goes to its task; anything
 * else is answered with a Reject.
 *
 * <p><b>Threading:</b> {@link #handle} runs on the connection's reader; responses are written by
 * the reader and by workers through the connection's {@link PduWriter}. {@link #close} may be
 * called from any thread and is idempotent.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final int tsih;
    private final LoginResult login;
    private final ScsiTarget scsi;
    private final Portal portal;
    private final SessionTable table;
    private final ItNexus nexus;
    private final CommandWindow<Pdu> window;
    private final TaskSet tasks;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger transferTags = new AtomicInteger(1);
    private final ScsiCommands commands;
    private final TaskManagement taskManagement;
    private final TextExchange text;
    private volatile Connection connection;

    Session(int tsih, LoginResult login, ScsiTarget scsi, Portal portal, int windowDepth, SessionTable table) {
        this.tsih = tsih;
        this.login = login;
        this.scsi = scsi;
        this.portal = portal;
        this.table = table;
        String targetName = login.target() == null ? "" : login.target().name();
        this.nexus = new ItNexus(login.initiatorPort(),
                targetName + ",t,0x" + String.format("%04x", portal.portalGroupTag()), 1);
        this.window = new CommandWindow<>(login.cmdSn(), windowDepth);
        this.tasks = new TaskSet(window::inFlight);
        this.commands = new ScsiCommands(this);
        this.taskManagement = new TaskManagement(this);
        this.text = new TextExchange(this);
    }

    public int tsih() {
        return tsih;
    }

    public ItNexus nexus() {
        return nexus;
    }

    public boolean discovery() {
        return login.parameters().discovery();
    }

    public SessionParameters parameters() {
        return login.parameters();
    }

    public String initiatorName() {
        return login.initiatorName();
    }

    /** The target, or null for a discovery session. */
    public LoginTarget target() {
        return login.target();
    }

    String nexusKey() {
        return nexus.initiatorPort() + "|" + nexus.targetPort() + "|" + discovery();
    }

    ScsiTarget scsi() {
        return scsi;
    }

    Portal portal() {
        return portal;
    }

    TaskSet tasks() {
        return tasks;
    }

    CommandWindow<Pdu> window() {
        return window;
    }

    Connection connection() {
        return connection;
    }

    ScsiCommands commands() {
        return commands;
    }

    int newTransferTag() {
        int tag;
        do {
            tag = transferTags.getAndIncrement();
        } while (tag == Bhs.RESERVED_TAG);
        return tag;
    }

    /** Announces the nexus to the SCSI target. */
    void open() {
        if (scsi != null) {
            scsi.nexusAdded(nexus);
        }
    }

    /** Binds the connection that completed the login. */
    void attach(Connection c) {
        this.connection = c;
        c.writer().setWindow(new PduWriter.Window() {
            @Override
            public int expCmdSn() {
                return window.expCmdSn();
            }

            @Override
            public int maxCmdSn() {
                return window.maxCmdSn();
            }
        });
    }

    /** Handles one PDU of the full feature phase. */
    void handle(Connection c, Pdu pdu) throws IOException {
        switch (pdu) {
            case DataOut d -> commands.dataOut(c, d);
            case ScsiCommandPdu cmd -> numbered(c, pdu, cmd.cmdSn(), cmd.immediate());
            case NopOut nop -> {
                if (nop.initiatorTaskTag() == Bhs.RESERVED_TAG) {
                    return;     // the answer to one of our pings: nothing to do
                }
                numbered(c, pdu, nop.cmdSn(), nop.immediate());
            }
            case TextRequest t -> numbered(c, pdu, t.cmdSn(), t.immediate());
            case TaskMgmtRequest t -> numbered(c, pdu, t.cmdSn(), t.immediate());
            case LogoutRequest l -> numbered(c, pdu, l.cmdSn(), l.immediate());
            case SnackRequest s -> c.reject(Reject.PROTOCOL_ERROR, pdu, "SNACK needs ErrorRecoveryLevel > 0");
            case LoginRequest l -> c.reject(Reject.PROTOCOL_ERROR, pdu, "Login Request in full feature phase");
            case UnknownPdu u -> c.reject(Reject.COMMAND_NOT_SUPPORTED, pdu, "undefined opcode 0x" + Integer.toHexString(u.code()));
            default -> c.reject(Reject.PROTOCOL_ERROR, pdu, "target opcode " + pdu.opcode() + " from the initiator");
        }
    }

    private void numbered(Connection c, Pdu pdu, int cmdSn, boolean immediate) throws IOException {
        Pdu item = pdu;
        if (!immediate && cmdSn != window.expCmdSn()) {
            item = Detached.copy(pdu);   // may be held: its data must outlive the decoder's buffer
        }
        List<Pdu> ready = window.offer(cmdSn, immediate, item);
        if (ready.isEmpty()) {
            LOG.debug("session {}: CmdSN {} outside the window [{}, {}] or held", tsih, cmdSn, window.expCmdSn(),
                    window.maxCmdSn());
        }
        for (Pdu p : ready) {
            deliver(c, p);
        }
    }

    private void deliver(Connection c, Pdu pdu) throws IOException {
        switch (pdu) {
            case ScsiCommandPdu cmd -> commands.command(c, cmd);
            case NopOut nop -> nopOut(c, nop);
            case TextRequest t -> text.request(c, t);
            case TaskMgmtRequest t -> taskManagement.request(c, t);
            case LogoutRequest l -> logout(c, l);
            default -> throw new IllegalStateException("not a numbered PDU: " + pdu.opcode());
        }
    }

    private void nopOut(Connection c, NopOut nop) throws IOException {
        ByteBuffer data = nop.data();
        int max = parameters().initiatorMaxRecvDataSegmentLength();
        ByteBuffer echo = data.remaining() > max ? data.duplicate().limit(data.position() + max) : data;
        c.writer().send(n -> new NopIn(nop.lun(), nop.initiatorTaskTag(), Bhs.RESERVED_TAG, n.statSn(), n.expCmdSn(),
                n.maxCmdSn(), echo), true);
    }

    private void logout(Connection c, LogoutRequest request) throws IOException {
        int response;
        if (request.reason() == LogoutRequest.REMOVE_FOR_RECOVERY) {
            response = 2;       // connection recovery is not supported
        } else if (request.reason() == LogoutRequest.CLOSE_CONNECTION && request.cid() != c.cid()) {
            response = 1;       // CID not found
        } else {
            response = 0;
        }
        int wait = parameters().defaultTime2Wait();
        int retain = parameters().defaultTime2Retain();
        if (response == 0) {
            c.closeAfterLogout();
            terminate("logout");    // the session is gone before the initiator reads the response
        }
        c.writer().send(n -> new LogoutResponse(response, request.initiatorTaskTag(), n.statSn(), n.expCmdSn(),
                n.maxCmdSn(), wait, retain), true);
        if (response == 0) {
            c.close();
        }
    }

    /** Ends the session: aborts its tasks, closes its connection, tells the SCSI target. */
    public void close(String reason) {
        terminate(reason);
        Connection c = connection;
        if (c != null) {
            c.close();
        }
    }

    /** Ends the session without closing its connection (idempotent). */
    private void terminate(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("session {} of {} ends: {}", tsih, nexus.initiatorPort(), reason);
        for (Task t : tasks.all()) {
            t.aborted = true;
            commands.releaseBuffer(t);
        }
        tasks.wake();
        table.remove(this);
        if (scsi != null) {
            try {
                scsi.nexusRemoved(nexus);
            } catch (RuntimeException e) {
                LOG.warn("SCSI target failed to forget nexus {}", nexus, e);
            }
        }
    }

    /** Closes every session of this session's target, this one included (target cold reset). */
    void closeTargetSessions(String reason) {
        for (Session s : table.all()) {
            if (s != this && s.target() != null && target() != null && s.target().name().equals(target().name())) {
                s.close(reason);
            }
        }
        close(reason);
    }

    public boolean closed() {
        return closed.get();
    }
}
