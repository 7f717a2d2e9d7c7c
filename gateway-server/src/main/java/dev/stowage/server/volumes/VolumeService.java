package dev.stowage.server.volumes;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.server.config.SnapshotScheduleConfig;
import dev.stowage.server.lifecycle.Service;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volume catalog and the snapshot schedules as a daemon service. It starts after the front
 * ends that own the volumes (cache, iSCSI): it records every exported volume in the catalog
 * ({@code <data_dir>/catalog/}, mirrored to {@code catalog/} in the bucket), then runs the snapshot
 * schedules of the configuration. {@link #stop()} stops the schedules (a snapshot under way is
 * interrupted; the next start finds it again) before the volumes close.
 *
 * <p><b>Errors:</b> {@link #start()} fails (one line) when the local catalog cannot be written;
 * bucket failures there are logged and retried every {@link #HOUSEKEEPING} interval.
 * <b>Threading:</b> start/stop from the appliance's thread; {@link #volumes()} and
 * {@link #schedules()} are thread-safe once started.
 */
public final class VolumeService implements Service {

    private static final Logger log = LoggerFactory.getLogger(VolumeService.class);

    /** How long a scheduled snapshot may wait for its uploads. */
    public static final Duration SCHEDULED_SNAPSHOT_TIMEOUT = Duration.ofMinutes(30);
    /** How long an on-demand snapshot (admin API) may wait for its uploads. */
    public static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(10);
    /** Wait after a failed scheduled snapshot. */
    public static final Duration RETRY_DELAY = Duration.ofMinutes(5);
    /** How often schedules are checked and failed bucket copies retried. */
    public static final Duration HOUSEKEEPING = Duration.ofSeconds(30);

    private final VolumeManager volumes;
    private final SnapshotScheduleRunner schedules;
    private final Map<String, SnapshotScheduleConfig> configured;
    private final boolean runTimer;
    private ScheduledExecutorService housekeeping;

    /**
     * @param dataDir    the data directory ({@code catalog/} is created in it)
     * @param engines    one per volume type the gateway runs
     * @param schedules  volume id -> its snapshot schedule from the configuration
     * @param clock      time source of schedules and catalog times
     * @param runTimer   false in tests that call {@link SnapshotScheduleRunner#runDue()} themselves
     */
    public VolumeService(Path dataDir, ObjectStore bucket, List<VolumeEngine> engines,
                         Map<String, SnapshotScheduleConfig> schedules, InstantSource clock, boolean runTimer) {
        Path catalogDir = dataDir.resolve("catalog");
        this.volumes = new VolumeManager(engines, new VolumeCatalog(catalogDir.resolve("volumes"), bucket), bucket, clock,
                SNAPSHOT_TIMEOUT);
        this.schedules = new SnapshotScheduleRunner(volumes, new ScheduleStates(catalogDir.resolve("schedules"), bucket),
                clock, SCHEDULED_SNAPSHOT_TIMEOUT, RETRY_DELAY);
        this.configured = new LinkedHashMap<>(schedules);
        this.runTimer = runTimer;
    }

    @Override
    public String name() {
        return "volumes";
    }

    @Override
    public synchronized void start() throws IOException {
        try {
            volumes.recordExported();
            for (Map.Entry<String, SnapshotScheduleConfig> e : configured.entrySet()) {
                schedules.schedule(e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            throw new IOException("cannot write the volume catalog under the data directory: " + e.getMessage()
                    + "; check that it is writable", e);
        }
        if (runTimer) {
            schedules.start(HOUSEKEEPING);
            housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "catalog-mirror");
                t.setDaemon(true);
                return t;
            });
            housekeeping.scheduleWithFixedDelay(this::mirror, HOUSEKEEPING.toMillis(), HOUSEKEEPING.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        log.atInfo().addKeyValue("volumes", volumes.volumes().size()).addKeyValue("schedules", configured.size())
                .log("volume catalog ready");
    }

    private void mirror() {
        try {
            volumes.catalog().mirrorPending();
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("catalog mirror round failed: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void stop() {
        schedules.close();
        if (housekeeping != null) {
            housekeeping.shutdownNow();
            housekeeping = null;
        }
    }

    /** Volumes, snapshots and the catalog. */
    public VolumeManager volumes() {
        return volumes;
    }

    /** The snapshot schedules. */
    public SnapshotScheduleRunner schedules() {
        return schedules;
    }
}
