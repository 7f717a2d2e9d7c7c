package dev.stowage.server.admin;

import dev.stowage.server.health.HealthServer;
import dev.stowage.server.lifecycle.Service;
import dev.stowage.server.volumes.VolumeService;
import java.nio.file.Path;

/**
 * Serves the {@link AdminApi} under {@code /api/v1/} on the health endpoint's server (same address,
 * same threads) while it runs. Starts after the {@link VolumeService}; stops before it.
 * Threading: start/stop from the appliance's thread.
 */
public final class AdminService implements Service {

    private final HealthServer server;
    private final VolumeService volumes;
    private final Path dataDir;
    private boolean running;

    public AdminService(HealthServer server, VolumeService volumes, Path dataDir) {
        this.server = server;
        this.volumes = volumes;
        this.dataDir = dataDir;
    }

    @Override
    public String name() {
        return "admin API";
    }

    @Override
    public synchronized void start() {
        server.addRoute(AdminApi.PREFIX, new AdminApi(volumes.volumes(), volumes.schedules(), dataDir));
        running = true;
    }

    @Override
    public synchronized void stop() {
        if (running) {
            server.removeRoute(AdminApi.PREFIX);
            running = false;
        }
    }

    /** http://host:port/api/v1/ */
    public String url() {
        return server.url().replaceFirst("/health$", AdminApi.PREFIX);
    }

    @Override
    public synchronized String describe() {
        return running ? url() + " (this machine only, no authentication; CLI: stowage volumes, stowage snapshot)" : null;
    }
}
