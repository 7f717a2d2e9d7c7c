package dev.stowage.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.core.store.throttle.BandwidthSchedule;
import dev.stowage.core.store.throttle.ThrottledObjectStore;
import dev.stowage.server.check.BucketCheck;
import dev.stowage.server.health.HealthMonitor;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The collector without a running gateway: gateway series, bandwidth counters, absent services. */
class MetricsCollectorTest {

    private static final Instant START = Instant.parse("2026-11-01T10:00:00Z");

    private static HealthMonitor monitor(InstantSource clock, boolean ok) {
        InMemoryObjectStore memory = new InMemoryObjectStore();
        return new HealthMonitor(new BucketCheck(memory, "b", "memory"), Duration.ofMinutes(1), clock,
                new HealthMonitor.S3Status(ok, ok ? null : "down", clock.instant()));
    }

    @Test
    void countsBytesThroughTheBandwidthLimits() {
        InstantSource clock = InstantSource.fixed(START);
        ThrottledObjectStore bucket = new ThrottledObjectStore(new InMemoryObjectStore(), BandwidthSchedule.constant(
                new BandwidthSchedule.Limits(1L << 30, 1L << 30)));
        bucket.put("k", new byte[1000], PutOptions.DEFAULT);
        bucket.get("k");
        bucket.get("k");

        ExpositionParser.Page page = ExpositionParser.parse(new MetricsCollector(monitor(clock, true), clock, List.of(), bucket).scrape());
        assertThat(page.value("stowage_bandwidth_uploaded_bytes_total", "")).isEqualTo(1000.0);
        assertThat(page.value("stowage_bandwidth_downloaded_bytes_total", "")).isEqualTo(2000.0);
        assertThat(page.value("stowage_start_time_seconds", "")).isEqualTo(START.getEpochSecond());
        assertThat(page.value("stowage_s3_check_ok", "")).isEqualTo(1.0);
    }

    @Test
    void leavesOutWhatIsNotConfigured() {
        InstantSource clock = InstantSource.fixed(START);
        String text = new MetricsCollector(monitor(clock, false), clock, List.of(), new InMemoryObjectStore()).scrape();
        ExpositionParser.Page page = ExpositionParser.parse(text);
        assertThat(page.value("stowage_up", "")).isEqualTo(1.0);
        assertThat(page.value("stowage_s3_check_ok", "")).isZero();
        assertThat(text).doesNotContain("stowage_bandwidth_", "stowage_cache_", "stowage_stored_");
    }
}
