package dev.stowage.server.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.iscsi.pdu.LoginResponse;
import dev.stowage.iscsi.testing.TestInitiator;
import dev.stowage.server.config.IscsiSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The iSCSI front end on its own: CHAP from the settings, LUN files, a taken port, stop releasing everything. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IscsiServiceTest {

    private static final String IQN = "iqn.2026-11.dev.stowage:test";

    @TempDir
    Path dir;

    private static IscsiSettings settings(int port, IscsiSettings.Chap chap, IscsiSettings.Lun... luns) {
        return new IscsiSettings(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null,
                List.of(new IscsiSettings.Target(IQN, "test", chap, List.of(), List.of(luns))));
    }

    private IscsiSettings.Lun fileLun(int lun, String name, boolean create) {
        return new IscsiSettings.Lun(lun, IscsiSettings.LunType.FILE, dir.resolve(name), 4 << 20, 512, false, create);
    }

    @Test
    void chapTargetRefusesWrongSecretAndAcceptsTheRightOne() throws Exception {
        IscsiSettings.Chap chap = new IscsiSettings.Chap("alice", "alice-secret-1", "target", "target-secret1");
        IscsiService service = new IscsiService(settings(0, chap, fileLun(0, "sub/dir/a.img", true)), "change iscsi.listen");
        service.start();
        try {
            assertThat(Files.size(dir.resolve("sub/dir/a.img"))).as("created with its directories").isEqualTo(4 << 20);
            InetSocketAddress portal = service.address();
            assertThat(service.describe()).contains("portal 127.0.0.1:" + portal.getPort(), IQN + " (mutual CHAP)",
                    "LUN 0: 4 MiB, file " + dir.resolve("sub/dir/a.img"), "iscsiadm -m discovery -t st -p 127.0.0.1:")
                    .doesNotContain("alice-secret-1", "target-secret1");
            try (TestInitiator i = new TestInitiator(portal, 1)) {
                assertThat(i.login(IQN, Map.of()).statusClass()).as("no CHAP: refused").isEqualTo(2);
            }
            try (TestInitiator i = new TestInitiator(portal, 2)) {
                LoginResponse r = i.loginChap(IQN, "alice", "wrong-secret-1", null, null);
                assertThat(r.statusClass() << 8 | r.statusDetail()).as("authentication failure").isEqualTo(0x0201);
            }
            try (TestInitiator i = new TestInitiator(portal, 3)) {
                assertThat(i.loginChap(IQN, "alice", "alice-secret-1", "target-secret1", null).statusClass()).isZero();
            }
        } finally {
            service.stop();
        }
        assertThat(service.describe()).isNull();
    }

    @Test
    void portInUseIsOneClearLineAndNothingStaysOpen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IscsiService service = new IscsiService(settings(taken.getLocalPort(), null, fileLun(0, "b.img", true)),
                    "change iscsi.listen (or STOWAGE_ISCSI_LISTEN)");
            assertThatThrownBy(service::start).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " for iSCSI (")
                    .hasMessageEndingWith("); stop what uses that port, or change iscsi.listen (or STOWAGE_ISCSI_LISTEN)");
        }
        // The image was closed again: a second service can open it and serve.
        IscsiService again = new IscsiService(settings(0, null, fileLun(0, "b.img", false)), "x");
        again.start();
        again.stop();
    }

    @Test
    void imageThatChangedSizeSinceTheCheckIsRefused() throws Exception {
        Files.write(dir.resolve("c.img"), new byte[1 << 20]);
        IscsiService service = new IscsiService(settings(0, null, fileLun(0, "c.img", false)), "x");
        assertThatThrownBy(service::start).isInstanceOf(IOException.class)
                .hasMessageStartingWith("disk image " + dir.resolve("c.img") + " of LUN 0 of " + IQN + " is now 1048576 bytes, not 4194304");
    }

    @Test
    void memoryLunsAndSerials() throws Exception {
        IscsiService service = new IscsiService(settings(0, null,
                new IscsiSettings.Lun(0, IscsiSettings.LunType.MEMORY, null, 1 << 20, 4096, false, false)), "x");
        service.start();
        try (TestInitiator i = new TestInitiator(service.address(), 1)) {
            assertThat(i.login(IQN, Map.of()).statusClass()).isZero();
            assertThat(service.describe()).contains("LUN 0: 1 MiB, memory");
        } finally {
            service.stop();
        }
        assertThat(IscsiService.serial(IQN, 0)).isEqualTo(IscsiService.serial(IQN, 0)).hasSize(24)
                .isNotEqualTo(IscsiService.serial(IQN, 1));
        assertThat(IscsiService.hostPort(new InetSocketAddress("::1", 3260))).isEqualTo("[0:0:0:0:0:0:0:1]:3260");
    }
}
