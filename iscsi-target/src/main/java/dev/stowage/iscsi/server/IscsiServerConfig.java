package dev.stowage.iscsi.server;

import dev.stowage.iscsi.login.ChapCredentials;
import dev.stowage.iscsi.login.TargetLimits;

import java.net.InetSocketAddress;

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
 */
public record IscsiServerConfig(InetSocketAddress bind, int portalGroupTag, TargetLimits limits, int commandWindow,
                                int maxWriteLength, long writeBudget, ChapCredentials discoveryChap) {
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
    }

    /** 127.0.0.1:3260, tag 1, default limits, 128 commands, 32 MiB writes, 256 MiB buffered per connection. */
    public static IscsiServerConfig defaults() {
        return at(new InetSocketAddress("127.0.0.1", DEFAULT_PORT));
    }

    public static IscsiServerConfig at(InetSocketAddress bind) {
        return new IscsiServerConfig(bind, 1, TargetLimits.defaults(), 128, 32 << 20, 256L << 20, null);
    }

    public IscsiServerConfig withLimits(TargetLimits newLimits) {
        return new IscsiServerConfig(bind, portalGroupTag, newLimits, commandWindow, maxWriteLength, writeBudget,
                discoveryChap);
    }

    public IscsiServerConfig withDiscoveryChap(ChapCredentials chap) {
        return new IscsiServerConfig(bind, portalGroupTag, limits, commandWindow, maxWriteLength, writeBudget, chap);
    }
}
