package dev.stowage.iscsi;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.FileBlockDevice;
import dev.stowage.core.device.MemoryBlockDevice;
import dev.stowage.iscsi.login.ChapCredentials;
import dev.stowage.iscsi.scsi.DiskIdentity;
import dev.stowage.iscsi.scsi.ScsiTargetImpl;
import dev.stowage.iscsi.server.IscsiServer;
import dev.stowage.iscsi.server.IscsiServerConfig;
import dev.stowage.iscsi.server.TargetConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A demo target for real initiators (libiscsi tools, the Linux initiator): one disk LUN 0 on
 * 127.0.0.1, memory-backed, or file-backed with {@code -Dstowage.demo.file=<path>} (created with the
 * given size when missing, e.g. on /dev/shm to compare with other targets).
 *
 * <pre>
 *   DemoTargetMain &lt;port&gt; &lt;iqn&gt; &lt;size-MiB&gt; [&lt;chap-user&gt; &lt;chap-secret&gt; [&lt;mutual-user&gt; &lt;mutual-secret&gt;]]
 * </pre>
 *
 * Prints "READY &lt;port&gt;" on stdout once listening; stops on SIGTERM/SIGINT.
 */
public final class DemoTargetMain {
    private DemoTargetMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 5 && args.length != 7) {
            System.err.println("usage: DemoTargetMain <port> <iqn> <size-MiB> [<chap-user> <chap-secret> "
                    + "[<mutual-user> <mutual-secret>]]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String iqn = args[1];
        long sizeMiB = Long.parseLong(args[2]);
        ChapCredentials chap = null;
        if (args.length == 5) {
            chap = ChapCredentials.oneWay(args[3], args[4]);
        } else if (args.length == 7) {
            chap = ChapCredentials.mutual(args[3], args[4], args[5], args[6]);
        }
        int blockSize = 512;
        long blocks = sizeMiB * 1024 * 1024 / blockSize;
        String file = System.getProperty("stowage.demo.file");
        BlockDevice device;
        if (file == null) {
            device = new MemoryBlockDevice(blockSize, blocks);
        } else if (FileBlockDevice.exists(Path.of(file))) {
            device = FileBlockDevice.open(Path.of(file), blockSize, false);
        } else {
            device = FileBlockDevice.create(Path.of(file), blockSize, blocks);
        }
        ScsiTargetImpl scsi = ScsiTargetImpl.builder().disk(0, device, DiskIdentity.of("demo-" + port)).build();
        IscsiServer server = new IscsiServer(IscsiServerConfig.at(new InetSocketAddress("127.0.0.1", port)));
        server.addTarget(new TargetConfig(iqn, "demo", scsi, chap, Set.of()));
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }));
        System.out.println("READY " + server.port());
        System.out.flush();
        stopped.await();
    }
}
