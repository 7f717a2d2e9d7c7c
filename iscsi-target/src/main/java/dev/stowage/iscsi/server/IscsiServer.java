package dev.stowage.iscsi.server;

import dev.stowage.iscsi.login.ChapCredentials;
import dev.stowage.iscsi.login.LoginContext;
import dev.stowage.iscsi.login.LoginException;
import dev.stowage.iscsi.login.LoginResult;
import dev.stowage.iscsi.login.LoginStatus;
import dev.stowage.iscsi.login.LoginTarget;
import dev.stowage.iscsi.login.TargetLimits;
import dev.stowage.iscsi.scsi.ScsiTarget;
import dev.stowage.iscsi.session.Connection;
import dev.stowage.iscsi.session.Portal;
import dev.stowage.iscsi.session.Session;
import dev.stowage.iscsi.session.SessionTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The iSCSI listener: accepts connections on one portal, runs each on a virtual thread, and
 * serves the registered targets. Commands run on virtual threads too.
 *
 * <p>Connections must log in within the configured login timeout; idle ones get NOP-In pings and
 * are closed when they stop answering.
 *
 * <p>Lifecycle: {@link #start()} binds and accepts; {@link #stop()} closes the listener and every
 * connection (their sessions end and the SCSI targets forget the nexuses), and waits for the
 * accept thread. Targets may be added or removed at any time; removing one closes its sessions.
 *
 * <p><b>Threading:</b> thread-safe. <b>Errors:</b> {@link #start()} throws {@link IOException}
 * when the address cannot be bound; protocol errors of one connection never affect another.
 */
public final class IscsiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IscsiServer.class);

    private final IscsiServerConfig config;
    private final Map<String, TargetConfig> targets = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final SessionTable sessions = new SessionTable();
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final LoginContext loginContext = new Logins();
    private final Portal portal = new PortalView();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("iscsi-timers").factory());
    private volatile ServerSocketChannel listener;
    private Thread acceptor;

    public IscsiServer(IscsiServerConfig config) {
        this.config = config;
    }

    /** Registers (or replaces) a target. */
    public void addTarget(TargetConfig target) {
        targets.put(target.iqn(), target);
    }

    /** Unregisters a target and ends its sessions. */
    public void removeTarget(String iqn) {
        if (targets.remove(iqn) != null) {
            for (Session s : sessions.all()) {
                if (s.target() != null && s.target().name().equals(iqn)) {
                    s.close("target removed");
                }
            }
        }
    }

    /** Binds the listener and starts accepting. */
    public synchronized void start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(config.bind(), 64);
        listener = ch;
        acceptor = Thread.ofVirtual().name("iscsi-accept").start(this::acceptLoop);
        long nop = config.nopInterval().toMillis();
        if (nop > 0) {
            timers.scheduleWithFixedDelay(this::keepAlive, nop, nop, TimeUnit.MILLISECONDS);
        }
        LOG.info("iSCSI portal listening on {} (tag {})", ch.getLocalAddress(), config.portalGroupTag());
    }

    /** The bound address (with the real port when configured with port 0). */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("listener is closed", e);
        }
    }

    public int port() {
        return address().getPort();
    }

    /** Sessions currently logged in. */
    public List<Session> sessions() {
        return sessions.all();
    }

    /** Stops accepting, closes every connection, waits for the accept thread. */
    public void stop() {
        Thread t;
        synchronized (this) {
            ServerSocketChannel ch = listener;
            if (ch == null) {
                return;
            }
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing listener: {}", e.toString());
            }
            t = acceptor;
        }
        for (Connection c : new ArrayList<>(connections)) {
            c.close();
        }
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdown();
        timers.shutdownNow();
        LOG.info("iSCSI portal stopped");
    }

    @Override
    public void close() {
        stop();
    }

    private void acceptLoop() {
        ServerSocketChannel ch = listener;
        while (ch.isOpen()) {
            SocketChannel socket;
            try {
                socket = ch.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (ch.isOpen()) {
                    LOG.warn("accept failed: {}", e.toString());
                }
                continue;
            }
            if (connections.size() >= config.maxConnections()) {
                LOG.warn("refusing a connection from {}: {} connections open (the configured maximum)",
                        socketPeer(socket), connections.size());
                try {
                    socket.close();
                } catch (IOException e) {
                    LOG.debug("close: {}", e.toString());
                }
                continue;
            }
            try {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                LOG.debug("TCP_NODELAY: {}", e.toString());
            }
            Connection[] holder = new Connection[1];
            Connection c = new Connection(socket, loginContext, sessions, portal, random,
                    () -> connections.remove(holder[0]));
            holder[0] = c;
            connections.add(c);
            if (!ch.isOpen()) {
                c.close();
                return;
            }
            timers.schedule(() -> {
                if (!c.loggedIn()) {
                    LOG.info("connection from {} did not log in within {}; closing", socketPeer(socket),
                            config.loginTimeout());
                    c.close();
                }
            }, config.loginTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Thread.ofVirtual().name("iscsi-conn").start(c);
        }
    }

    /** Pings idle connections and closes dead ones; runs every NOP-In interval. */
    void keepAlive() {
        for (Connection c : new ArrayList<>(connections)) {
            try {
                c.keepAlive();
            } catch (RuntimeException e) {
                LOG.warn("keep-alive failed", e);
            }
        }
    }

    private static String socketPeer(SocketChannel socket) {
        try {
            return String.valueOf(socket.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    private static LoginTarget loginView(TargetConfig t) {
        return new LoginTarget(t.iqn(), t.alias(), t.chap(), t.allowedInitiators());
    }

    /** Login's view of the server. */
    private final class Logins implements LoginContext {
        @Override
        public LoginTarget findTarget(String name) {
            TargetConfig t = targets.get(name);
            return t == null ? null : loginView(t);
        }

        @Override
        public ChapCredentials discoveryChap() {
            return config.discoveryChap();
        }

        @Override
        public int portalGroupTag() {
            return config.portalGroupTag();
        }

        @Override
        public TargetLimits limits() {
            return config.limits();
        }

        @Override
        public int commandWindow() {
            return config.commandWindow();
        }

        @Override
        public int bind(LoginResult result) throws LoginException {
            ScsiTarget scsi = null;
            if (result.target() != null) {
                TargetConfig t = targets.get(result.target().name());
                if (t == null) {
                    throw new LoginException(LoginStatus.TARGET_REMOVED, "target " + result.target().name() + " was removed");
                }
                scsi = t.scsi();
            }
            return sessions.bind(result, scsi, portal, config.commandWindow()).tsih();
        }
    }

    /** The sessions' view of the server. */
    private final class PortalView implements Portal {
        @Override
        public List<LoginTarget> targetsFor(String initiatorName) {
            List<LoginTarget> out = new ArrayList<>();
            targets.values().stream().sorted((a, b) -> a.iqn().compareTo(b.iqn())).forEach(t -> {
                LoginTarget view = loginView(t);
                if (view.allows(initiatorName)) {
                    out.add(view);
                }
            });
            return out;
        }

        @Override
        public int portalGroupTag() {
            return config.portalGroupTag();
        }

        @Override
        public Executor workers() {
            return workers;
        }

        @Override
        public int maxWriteLength() {
            return config.maxWriteLength();
        }

        @Override
        public long writeBudget() {
            return config.writeBudget();
        }
    }
}
