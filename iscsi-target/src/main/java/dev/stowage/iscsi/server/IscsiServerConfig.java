package dev.stowage.iscsi.server;

import dev.stowage.iscsi.login.ChapCredentials;
import dev.stowage.iscsi.login.TargetLimits;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Listener settings.
 *
 * @param bind           address and port to listen on (port 0 picks a free port)
 * @param portalGroupTag our TargetPortalGroupTag (1..65535)
 * @param limits         negotiation limits
 * @param commandWindow  commands an initiator may have outstanding per session
 * @param maxWriteLength largest write one command may carry (bytes)
 * @param writeBudget    bytes of write data buffered per connection at once
 * @param discoveryChap  CHAP required for discovery sessions, or null
 * @param loginTimeout   a connection that has not finished its login by then is closed
 * @param nopInterval    idle full-feature connections get a NOP-In ping this often, and are closed
 *                       when a whole interval passes without any PDU after a ping; zero disables pings
 * @param maxConnections connections accepted at once; further ones are closed at once
 */
public record IscsiServerConfig(InetSocketAddress bind, int portalGroupTag, TargetLimits limits, int commandWindow,
                                int maxWriteLength, long writeBudget, ChapCredentials discoveryChap,
                                Duration loginTimeout, Duration nopInterval, int maxConnections) {
    /** Default iSCSI port. */
    public static final int DEFAULT_PORT = 3260;

    public IscsiServerConfig {
        if (portalGroupTag < 1 || portalGroupTag > 65535) {
            throw new IllegalArgumentException("portal group tag must be 1..65535");
        }
        if (commandWindow < 1 || commandWindow > 4096) {
            throw new IllegalArgumentException("command window must be 1..4096");
        }
        if (maxWriteLength < 512 || writeBudget < maxWriteLength) {
            throw new IllegalArgumentException("write budget must hold at least one maximal write");
        }
        if (loginTimeout == null || loginTimeout.isNegative() || loginTimeout.isZero()) {
            throw new IllegalArgumentException("login timeout must be positive");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
        if (nopInterval == null || nopInterval.isNegative()) {
            throw new IllegalArgumentException("NOP-In interval must be zero (off) or positive");
        }
    }

    /**
     * 127.0.0.1:3260, tag 1, default limits, 128 commands, 32 MiB writes, 256 MiB buffered per
     * connection, 30 s to log in, NOP-In pings every 30 s, 1024 connections.
     */
    public static IscsiServerConfig defaults() {
        return at(new InetSocketAddress("127.0.0.1", DEFAULT_PORT));
    }

    public static IscsiServerConfig at(InetSocketAddress bind) {
        return new IscsiServerConfig(bind, 1, TargetLimits.defaults(), 128, 32 << 20, 256L << 20, null,
                Duration.ofSeconds(30), Duration.ofSeconds(30), 1024);
    }

    public IscsiServerConfig withLimits(TargetLimits newLimits) {
        return new IscsiServerConfig(bind, portalGroupTag, newLimits, commandWindow, maxWriteLength, writeBudget,
                discoveryChap, loginTimeout, nopInterval, maxConnections);
    }

    public IscsiServerConfig withDiscoveryChap(ChapCredentials chap) {
        return new IscsiServerConfig(bind, portalGroupTag, limits, commandWindow, maxWriteLength, writeBudget, chap,
                loginTimeout, nopInterval, maxConnections);
    }

    public IscsiServerConfig withTimers(Duration newLoginTimeout, Duration newNopInterval) {
        return new IscsiServerConfig(bind, portalGroupTag, limits, commandWindow, maxWriteLength, writeBudget,
                discoveryChap, newLoginTimeout, newNopInterval, maxConnections);
    }
}
