package dev.stowage.server.metrics;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.throttle.ThrottledObjectStore;
import dev.stowage.server.Version;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.health.HealthMonitor;
import dev.stowage.server.lifecycle.Service;
import dev.stowage.server.stored.StoredVolumeService;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Gathers the gateway's metrics into one Prometheus text page: the gateway itself ({@code stowage_up},
 * start time, uptime, version, the latest S3 check), the bandwidth-limited bucket's byte counters
 * (when limits are configured), the write-back cache ({@link CacheExport}) and the stored volumes
 * ({@link StoredExport}). Services not running are left out. Values are read at each
 * {@link #scrape()}; some cache gauges walk the cache index, so scrape every few seconds, not faster.
 * Thread-safe (concurrent scrapes each build their own page).
 */
public final class MetricsCollector {

    private final HealthMonitor monitor;
    private final InstantSource clock;
    private final List<Service> services;
    private final ObjectStore bucket;

    /**
     * @param monitor  the S3 monitor (uptime, latest check)
     * @param clock    time source (the one the monitor uses)
     * @param services the front ends; the cache and stored-volume services among them are exported
     * @param bucket   the store the front ends use (a {@link ThrottledObjectStore} when limits apply)
     */
    public MetricsCollector(HealthMonitor monitor, InstantSource clock, List<Service> services, ObjectStore bucket) {
        this.monitor = monitor;
        this.clock = clock;
        this.services = List.copyOf(services);
        this.bucket = bucket;
    }

    /** The metrics page now, in {@link PromText#CONTENT_TYPE}. */
    public String scrape() {
        PromText out = new PromText();
        Instant now = clock.instant();
        long uptimeMillis = monitor.uptime().toMillis();
        out.gauge("stowage_up", "1 while the gateway runs.").sample(1);
        out.gauge("stowage_build_info", "The gateway's version (value always 1).").sample("version", Version.get(), 1);
        out.gauge("stowage_start_time_seconds", "When the gateway started, in seconds since the Unix epoch.")
                .sample((now.toEpochMilli() - uptimeMillis) / 1000.0);
        out.gauge("stowage_uptime_seconds", "Seconds since the gateway started.").sample(uptimeMillis / 1000.0);
        out.gauge("stowage_s3_check_ok", "1 when the latest check of the bucket passed, else 0.")
                .sample(monitor.status().ok() ? 1 : 0);
        if (bucket instanceof ThrottledObjectStore t) {
            out.counter("stowage_bandwidth_uploaded_bytes_total", "Bytes sent to the bucket under the bandwidth limits.")
                    .sample(t.uploadedBytes());
            out.counter("stowage_bandwidth_downloaded_bytes_total", "Bytes read from the bucket under the bandwidth limits.")
                    .sample(t.downloadedBytes());
        }
        for (Service s : services) {
            if (s instanceof CacheService cache) {
                CacheExport.write(out, cache.pool());
            }
        }
        for (Service s : services) {
            if (s instanceof StoredVolumeService stored) {
                StoredExport.write(out, stored.volumes(), now);
            }
        }
        return out.text();
    }
}
