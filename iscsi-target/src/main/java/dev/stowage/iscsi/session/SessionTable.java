package dev.stowage.iscsi.session;

import dev.stowage.iscsi.login.LoginException;
import dev.stowage.iscsi.login.LoginResult;
import dev.stowage.iscsi.login.LoginStatus;
import dev.stowage.iscsi.scsi.ScsiTarget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All sessions of a server, by TSIH and by I_T nexus. Assigns TSIHs (1..65535, never 0, never
 * one in use) and reinstates a session when the same initiator port logs in to the same target
 * again with TSIH 0 (RFC 7143 section 6.3.5): the old session is closed first.
 *
 * <p><b>Threading:</b> thread-safe (synchronized).
 */
public final class SessionTable {
    private final Map<Integer, Session> byTsih = new HashMap<>();
    private final Map<String, Session> byNexus = new HashMap<>();
    private int nextTsih = 1;

    /**
     * Creates the session for a leading login, or refuses to add a connection to an existing one
     * (MaxConnections is 1).
     *
     * @param scsi the target's SCSI side, null for a discovery session
     */
    public Session bind(LoginResult login, ScsiTarget scsi, Portal portal, int window) throws LoginException {
        Session old;
        Session created;
        synchronized (this) {
            if (login.requestedTsih() != 0) {
                Session existing = byTsih.get(login.requestedTsih());
                if (existing == null) {
                    throw new LoginException(LoginStatus.SESSION_DOES_NOT_EXIST,
                            "no session with TSIH " + login.requestedTsih());
                }
                throw new LoginException(LoginStatus.TOO_MANY_CONNECTIONS, "sessions have one connection (MaxConnections=1)");
            }
            int tsih = allocate();
            created = new Session(tsih, login, scsi, portal, window, this);
            String key = created.nexusKey();
            old = byNexus.put(key, created);
            byTsih.put(tsih, created);
            if (old != null) {
                byTsih.remove(old.tsih());
            }
        }
        if (old != null) {
            old.close("reinstated by a new login of the same initiator port");
        }
        created.open();
        return created;
    }

    public synchronized Session get(int tsih) {
        return byTsih.get(tsih);
    }

    public synchronized List<Session> all() {
        return new ArrayList<>(byTsih.values());
    }

    public synchronized int size() {
        return byTsih.size();
    }

    /** Called by a session when it ends. */
    synchronized void remove(Session session) {
        byTsih.remove(session.tsih(), session);
        byNexus.remove(session.nexusKey(), session);
    }

    private int allocate() throws LoginException {
        for (int i = 0; i < 65535; i++) {
            int candidate = nextTsih;
            nextTsih = nextTsih == 65535 ? 1 : nextTsih + 1;
            if (!byTsih.containsKey(candidate)) {
                return candidate;
            }
        }
        throw new LoginException(LoginStatus.OUT_OF_RESOURCES, "all 65535 session handles in use");
    }
}
