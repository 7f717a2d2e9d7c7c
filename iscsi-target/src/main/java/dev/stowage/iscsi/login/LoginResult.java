package dev.stowage.iscsi.login;

/**
 * A login that reached full feature phase.
 *
 * @param isid            initiator session id (48 bits)
 * @param requestedTsih   TSIH the initiator sent (0 for a new session)
 * @param target          the target, or null for a discovery session
 * @param cmdSn           CmdSN of the login: the session's first expected CmdSN
 * @param nextStatSn      StatSN of the next response on this connection
 */
public record LoginResult(String initiatorName, long isid, int requestedTsih, int cid, LoginTarget target,
                          SessionParameters parameters, int cmdSn, int nextStatSn) {

    /** The SCSI initiator port name, e.g. {@code iqn.x,i,0x00023d000001}. */
    public String initiatorPort() {
        return initiatorName + ",i,0x" + String.format("%012x", isid);
    }
}
