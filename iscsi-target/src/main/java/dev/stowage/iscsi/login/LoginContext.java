package dev.stowage.iscsi.login;

/**
 * What a login needs from the rest of the target: the target directory, limits and the session
 * table. Implementations are thread-safe (many logins run at once).
 */
public interface LoginContext {

    /** The target called {@code name}, or null when there is none. */
    LoginTarget findTarget(String name);

    /** CHAP credentials discovery sessions must present, or null for none. */
    ChapCredentials discoveryChap();

    /** Our portal group tag. */
    int portalGroupTag();

    /** Our negotiation limits. */
    TargetLimits limits();

    /** Commands the initiator may have outstanding (MaxCmdSN - ExpCmdSN + 1). */
    int commandWindow();

    /**
     * The initiator enters full feature phase: create the session (TSIH 0, reinstating an older
     * session with the same initiator port) or add the connection to the session {@code tsih}.
     *
     * @return the session's TSIH
     * @throws LoginException with SESSION_DOES_NOT_EXIST, TOO_MANY_CONNECTIONS, ...
     */
    int bind(LoginResult result) throws LoginException;
}
