package dev.stowage.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.cache.CachedVolume;
import dev.stowage.cache.stored.StoredVolume;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.server.Daemon;
import dev.stowage.server.FrontEnds;
import dev.stowage.server.cache.CacheService;
import dev.stowage.server.stored.StoredVolumeService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} end to end against a running demo appliance (embedded S3 store over HTTP,
 * cached volume {@code demo-cached}, stored volume {@code demo-stored}): the page parses as the
 * Prometheus text format and carries the gateway, cache and stored-volume series a scrape needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MetricsEndpointTest {

    private Daemon.Running daemon;
    private URI base;

    @BeforeAll
    void startDemo(@TempDir Path dataDir, @TempDir Path cwd) throws Exception {
        Map<String, String> env = Map.of("STOWAGE_DATA_DIR", dataDir.toString(), "STOWAGE_DEMO_S3_PORT", "0",
                "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0", "STOWAGE_DEMO_ISCSI_PORT", "0");
        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        daemon = Daemon.start(new Daemon.Launch(null, env, cwd, cwd.toString(), S3ObjectStore::new, FrontEnds.CONFIGURED,
                new PrintStream(banner, true, StandardCharsets.UTF_8), InstantSource.system(), false));
        base = URI.create("http://127.0.0.1:" + daemon.health().port() + "/");
        assertThat(banner.toString(StandardCharsets.UTF_8)).contains(base + "metrics");
    }

    @AfterAll
    void stopDemo() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private HttpResponse<String> call(String method, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private ExpositionParser.Page scrape() throws Exception {
        HttpResponse<String> r = call("GET", "metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/plain; version=0.0.4"));
        return ExpositionParser.parse(r.body());
    }

    @Test
    void answersWithTheGatewaySeriesInTheTextFormat() throws Exception {
        ExpositionParser.Page page = scrape();
        assertThat(page.value("stowage_up", "")).isEqualTo(1.0);
        assertThat(page.type("stowage_up")).isEqualTo("gauge");
        assertThat(page.value("stowage_start_time_seconds", "")).isPositive()
                .isLessThanOrEqualTo(System.currentTimeMillis() / 1000.0);
        assertThat(page.value("stowage_s3_check_ok", "")).isEqualTo(1.0);
        assertThat(page.type("stowage_cache_cloud_uploaded_bytes_total")).isEqualTo("counter");
        assertThat(page.type("stowage_cache_dirty_percent")).isEqualTo("gauge");
        // every counter is named ..._total, and only counters are
        page.types().forEach((name, type) -> assertThat(name.endsWith("_total")).as(name).isEqualTo(type.equals("counter")));
    }

    @Test
    void showsTheCacheFillingAfterAWriteThroughTheCachedVolume() throws Exception {
        CachedVolume volume = daemon.service(CacheService.class).volume(Daemon.DEMO_CACHED_VOLUME);
        byte[] data = new byte[256 * 1024];
        Arrays.fill(data, (byte) 0x5a);
        volume.write(0, ByteBuffer.wrap(data), true);

        ExpositionParser.Page page = scrape();
        assertThat(page.value("stowage_cache_used_percent", "")).isPositive().isLessThanOrEqualTo(100.0);
        assertThat(page.value("stowage_cache_dirty_percent", "")).isBetween(0.0, 100.0);
        assertThat(page.value("stowage_cache_size_bytes", "")).isEqualTo(256.0 * 1024 * 1024);
        assertThat(page.value("stowage_cache_hit_percent", "")).isBetween(0.0, 100.0);
        assertThat(page.value("stowage_cache_volume_time_since_last_recovery_point_seconds", "volume=\"demo-cached\""))
                .isGreaterThanOrEqualTo(0.0);
        assertThat(page.value("stowage_cache_volume_recovery_point_generation", "volume=\"demo-cached\"")).isNotNull();
    }

    @Test
    void showsStoredVolumeChangesAndTheAgeOfItsLastSnapshot() throws Exception {
        StoredVolume volume = daemon.service(StoredVolumeService.class).volume(Daemon.DEMO_STORED_VOLUME);
        volume.write(0, ByteBuffer.wrap(new byte[volume.blockSize() * 8]).put(0, (byte) 1), true);
        ExpositionParser.Page before = scrape();
        assertThat(before.value("stowage_stored_volume_changed_chunks", "volume=\"demo-stored\"")).isGreaterThanOrEqualTo(1.0);

        HttpResponse<String> taken = call("POST", "api/v1/volumes/demo-stored/snapshots");
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(201);
        ExpositionParser.Page after = scrape();
        assertThat(after.value("stowage_stored_volume_changed_chunks", "volume=\"demo-stored\"")).isZero();
        assertThat(after.value("stowage_stored_volume_seconds_since_last_snapshot", "volume=\"demo-stored\""))
                .isGreaterThanOrEqualTo(0.0).isLessThan(600.0);
    }

    @Test
    void refusesOtherMethodsAndPaths() throws Exception {
        HttpResponse<String> post = call("POST", "metrics");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(call("GET", "metrics/extra").statusCode()).isEqualTo(404);
        assertThat(call("GET", "health").statusCode()).isEqualTo(200);
    }
}
