package dev.stowage.server.iscsi;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceException;
import dev.stowage.core.device.FileBlockDevice;
import dev.stowage.core.device.MemoryBlockDevice;
import dev.stowage.iscsi.login.ChapCredentials;
import dev.stowage.iscsi.scsi.DiskIdentity;
import dev.stowage.iscsi.scsi.ScsiTargetImpl;
import dev.stowage.iscsi.server.IscsiServer;
import dev.stowage.iscsi.server.IscsiServerConfig;
import dev.stowage.iscsi.server.TargetConfig;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.config.IscsiSettings;
import dev.stowage.server.lifecycle.Service;
import dev.stowage.server.stored.StoredVolumeService;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iSCSI front end: opens (or creates, sparse) the LUNs' block devices, builds one SCSI target
 * per configured IQN and runs an {@link IscsiServer} on the configured portal.
 *
 * <p>{@link #stop()} closes the portal (every session ends) and then closes every block device,
 * which flushes file-backed LUNs to stable storage; SIGTERM reaches it through the daemon's
 * shutdown hook. A device that fails to flush is logged, and the others are still closed.
 *
 * <p>Errors at start: a LUN file that cannot be created or opened, or whose size changed since the
 * configuration was checked, and a portal address in use, throw an {@link IOException} with one
 * line saying what to fix; devices already opened are closed again. Threading: start/stop from
 * one thread (the {@link dev.stowage.server.lifecycle.Appliance}); the server has its own threads.
 */
public final class IscsiService implements Service {

    private static final Logger log = LoggerFactory.getLogger(IscsiService.class);

    private final IscsiSettings settings;
    private final String portHint;
    private final CacheService cache;
    private final StoredVolumeService stored;
    private final List<BlockDevice> devices = new ArrayList<>();
    private IscsiServer server;

    /**
     * @param settings the checked {@code iscsi} section
     * @param portHint what to change when the portal's port is taken (e.g. "change iscsi.listen")
     */
    public IscsiService(IscsiSettings settings, String portHint) {
        this(settings, portHint, null);
    }

    /**
     * @param cache where {@code type: cached} LUNs come from (started before this service), or null when there are none
     */
    public IscsiService(IscsiSettings settings, String portHint, CacheService cache) {
        this(settings, portHint, cache, null);
    }

    /**
     * @param stored where {@code type: stored} LUNs come from (started before this service), or null when there are none
     */
    public IscsiService(IscsiSettings settings, String portHint, CacheService cache, StoredVolumeService stored) {
        this.settings = settings;
        this.portHint = portHint;
        this.cache = cache;
        this.stored = stored;
    }

    @Override
    public String name() {
        return "iscsi";
    }

    @Override
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        IscsiServerConfig config = IscsiServerConfig.at(settings.listen());
        if (settings.discoveryChap() != null) {
            config = config.withDiscoveryChap(chap(settings.discoveryChap()));
        }
        IscsiServer s = new IscsiServer(config);
        try {
            for (IscsiSettings.Target t : settings.targets()) {
                ScsiTargetImpl.Builder scsi = ScsiTargetImpl.builder();
                for (IscsiSettings.Lun lun : t.luns()) {
                    BlockDevice device = open(t.iqn(), lun);
                    devices.add(device);
                    scsi.disk(lun.lun(), device, DiskIdentity.of(serial(t.iqn(), lun.lun())));
                }
                s.addTarget(new TargetConfig(t.iqn(), t.alias(), scsi.build(),
                        t.chap() == null ? null : chap(t.chap()), new LinkedHashSet<>(t.allowedInitiators())));
            }
            try {
                s.start();
            } catch (BindException e) {
                throw new IOException("cannot listen on " + hostPort(settings.listen()) + " for iSCSI (" + e.getMessage()
                        + "); stop what uses that port, or " + portHint, e);
            }
        } catch (IOException | RuntimeException e) {
            s.stop();
            closeDevices();
            throw e;
        }
        server = s;
        for (IscsiSettings.Target t : settings.targets()) {
            log.atInfo().addKeyValue("iqn", t.iqn()).addKeyValue("luns", t.luns().size())
                    .addKeyValue("chap", t.chap() == null ? "none" : t.chap().mutual() ? "mutual" : "one-way")
                    .log("iSCSI target ready");
        }
    }

    /** The portal actually bound (with the real port when configured with port 0); null before start. */
    public synchronized InetSocketAddress address() {
        return server == null ? null : server.address();
    }

    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } finally {
            server = null;
            closeDevices();
        }
    }

    @Override
    public synchronized String describe() {
        if (server == null) {
            return null;
        }
        InetSocketAddress a = server.address();
        String portal = hostPort(a);
        String client = a.getAddress().isAnyLocalAddress()
                ? hostPort(new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort())) : portal;
        StringBuilder b = new StringBuilder("portal ").append(portal);
        for (IscsiSettings.Target t : settings.targets()) {
            b.append("\ntarget ").append(t.iqn());
            b.append(t.chap() == null ? " (no CHAP)" : t.chap().mutual() ? " (mutual CHAP)" : " (CHAP)");
            for (IscsiSettings.Lun l : t.luns()) {
                b.append("\n  LUN ").append(l.lun()).append(": ").append(sizeText(l.sizeBytes()))
                        .append(switch (l.type()) {
                            case FILE -> ", file " + l.path();
                            case MEMORY -> ", memory";
                            case CACHED -> ", cached volume " + l.volume();
                            case STORED -> ", stored volume " + l.volume() + ", file " + l.path();
                        })
                        .append(l.readOnly() ? ", read-only" : "");
            }
        }
        b.append("\ntry: iscsiadm -m discovery -t st -p ").append(client)
                .append("   or   iscsi-ls iscsi://").append(client);
        return b.toString();
    }

    private BlockDevice open(String iqn, IscsiSettings.Lun lun) throws IOException {
        if (lun.type() == IscsiSettings.LunType.MEMORY) {
            return new MemoryBlockDevice(lun.blockSize(), lun.blocks(), lun.readOnly());
        }
        if (lun.type() == IscsiSettings.LunType.CACHED) {
            BlockDevice d = cache == null ? null : cache.volume(lun.volume());
            if (d == null) {
                throw new IllegalStateException("cached volume " + lun.volume() + " of LUN " + lun.lun() + " of " + iqn
                        + " is not open (the cache service must start first)");
            }
            return d;
        }
        if (lun.type() == IscsiSettings.LunType.STORED) {
            BlockDevice d = stored == null ? null : stored.volume(lun.volume());
            if (d == null) {
                throw new IllegalStateException("stored volume " + lun.volume() + " of LUN " + lun.lun() + " of " + iqn
                        + " is not open (the stored volume service must start first)");
            }
            return d;
        }
        Path path = lun.path();
        String where = "LUN " + lun.lun() + " of " + iqn;
        try {
            FileBlockDevice d;
            if (lun.create() && !Files.exists(path)) {
                Files.createDirectories(path.toAbsolutePath().getParent());
                d = FileBlockDevice.create(path, lun.blockSize(), lun.blocks());
                log.atInfo().addKeyValue("path", path).addKeyValue("bytes", lun.sizeBytes())
                        .log("created sparse disk image");
            } else {
                d = FileBlockDevice.open(path, lun.blockSize(), lun.readOnly());
            }
            if (d.blockCount() != lun.blocks()) {
                long found = d.blockCount() * lun.blockSize();
                d.close();
                throw new IOException("disk image " + path + " of " + where + " is now " + found + " bytes, not "
                        + lun.sizeBytes() + " as when the configuration was checked; fix the file or the size and start again");
            }
            return d;
        } catch (DeviceException e) {
            throw new IOException("cannot open the disk image of " + where + ": " + e.getMessage(), e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("disk image ")) {
                throw e;
            }
            throw new IOException("cannot create the disk image of " + where + " at " + path + " (" + e + ")"
                    + "; check that its directory is writable", e);
        }
    }

    private void closeDevices() {
        for (BlockDevice d : devices) {
            try {
                d.close();
            } catch (DeviceException | RuntimeException e) {
                log.atError().setCause(e).log("a disk could not be flushed and closed: {}", e.getMessage());
            }
        }
        devices.clear();
    }

    private static ChapCredentials chap(IscsiSettings.Chap c) {
        return c.mutual() ? ChapCredentials.mutual(c.user(), c.secret(), c.mutualUser(), c.mutualSecret())
                : ChapCredentials.oneWay(c.user(), c.secret());
    }

    /** A unit serial that stays the same across restarts for the same IQN and LUN (INQUIRY VPD 0x80, NAA id). */
    static String serial(String iqn, int lun) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((iqn + "/" + lun).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static String sizeText(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return bytes + " bytes";
    }
}
