package dev.stowage.iscsi.server;

import dev.stowage.iscsi.pdu.Bhs;
import dev.stowage.iscsi.pdu.NopIn;
import dev.stowage.iscsi.pdu.NopOut;
import dev.stowage.iscsi.testing.FakeScsiTarget;
import dev.stowage.iscsi.testing.TestInitiator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class KeepAliveTest {
    private static final String DISK = "iqn.2026-11.dev.stowage:keepalive";

    private static IscsiServer server(Duration loginTimeout) throws Exception {
        IscsiServer server = new IscsiServer(IscsiServerConfig.at(new InetSocketAddress("127.0.0.1", 0))
                .withTimers(loginTimeout, Duration.ZERO));   // pings driven by the test, not a clock
        server.addTarget(TargetConfig.open(DISK, new FakeScsiTarget(16)));
        server.start();
        return server;
    }

    @Test
    void idleConnectionsArePingedAndDeadOnesClosed() throws Exception {
        try (IscsiServer server = server(Duration.ofMinutes(5));
             TestInitiator i = new TestInitiator(server.address(), 9)) {
            assertThat(i.login(DISK, Map.of()).statusClass()).isZero();
            server.keepAlive();                         // the login counts as traffic: no ping yet
            server.keepAlive();                         // idle since: ping
            NopIn ping = (NopIn) i.receive();
            assertThat(ping.initiatorTaskTag()).isEqualTo(Bhs.RESERVED_TAG);
            assertThat(ping.targetTransferTag()).isNotEqualTo(Bhs.RESERVED_TAG);
            i.send(new NopOut(true, 0, Bhs.RESERVED_TAG, ping.targetTransferTag(), i.cmdSn(), i.expStatSn(), null));
            assertThat(i.command(0, new byte[16], null, 0, false, 0).status()).isZero();   // answer processed
            server.keepAlive();                         // answered: still alive
            assertThat(server.sessions()).hasSize(1);
            server.keepAlive();                         // idle again: ping, which we ignore
            assertThat(i.receive()).isInstanceOf(NopIn.class);
            server.keepAlive();                         // no answer: closed
            assertThat(i.closedByTarget()).isTrue();
            assertThat(server.sessions()).isEmpty();
        }
    }

    @Test
    void connectionsThatNeverLogInAreClosed() throws Exception {
        try (IscsiServer server = server(Duration.ofMillis(200));
             TestInitiator silent = new TestInitiator(server.address(), 10)) {
            assertThat(silent.closedByTarget()).isTrue();
        }
    }

    @Test
    void connectionsBeyondTheMaximumAreRefused() throws Exception {
        IscsiServerConfig two = IscsiServerConfig.at(new InetSocketAddress("127.0.0.1", 0));
        two = new IscsiServerConfig(two.bind(), 1, two.limits(), 16, two.maxWriteLength(), two.writeBudget(), null,
                Duration.ofMinutes(5), Duration.ZERO, 2);
        try (IscsiServer server = new IscsiServer(two)) {
            server.addTarget(TargetConfig.open(DISK, new FakeScsiTarget(16)));
            server.start();
            try (TestInitiator a = new TestInitiator(server.address(), 1);
                 TestInitiator b = new TestInitiator(server.address(), 2);
                 TestInitiator c = new TestInitiator(server.address(), 3)) {
                assertThat(c.closedByTarget()).isTrue();
                assertThat(a.login(DISK, Map.of()).statusClass()).isZero();
                assertThat(b.login(DISK, Map.of()).statusClass()).isZero();
            }
        }
    }
}
