package dev.stowage.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.store.fault.FaultInjectingObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.core.store.s3.S3ObjectStore;
import dev.stowage.server.Daemon;
import dev.stowage.server.FrontEnds;
import dev.stowage.server.volumes.VolumeRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API end to end against a running demo appliance (embedded S3 store over HTTP, cached
 * volume {@code demo-cached}): volumes, snapshots, volumes from snapshots and clones, the bucket's
 * catalog, and the answers to bad input, unknown ids, conflicts and an unreachable bucket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Daemon.Running daemon;
    private URI api;

    @BeforeAll
    void startDemo(@TempDir Path dataDir, @TempDir Path cwd) throws Exception {
        Map<String, String> env = Map.of("STOWAGE_DATA_DIR", dataDir.toString(), "STOWAGE_DEMO_S3_PORT", "0",
                "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0", "STOWAGE_DEMO_ISCSI_PORT", "0");
        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        daemon = Daemon.start(new Daemon.Launch(null, env, cwd, cwd.toString(), S3ObjectStore::new, FrontEnds.CONFIGURED,
                new PrintStream(banner, true, StandardCharsets.UTF_8), InstantSource.system(), false));
        api = URI.create("http://127.0.0.1:" + daemon.health().port() + "/api/v1/");
        assertThat(banner.toString(StandardCharsets.UTF_8)).contains("admin API", api.toString(), "no authentication");
    }

    @AfterAll
    void stopDemo() {
        if (daemon != null) {
            daemon.close();
        }
    }

    record Answer(int status, JsonNode body) {
        String error() {
            return body.path("error").asText();
        }
    }

    private Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
            return new Answer(r.statusCode(), JSON.readTree(r.body()));
        }
    }

    private Answer get(String path) throws Exception {
        return call("GET", path, null);
    }

    @Test
    void listsTheDemoVolumeWithItsCatalogRecordAndCacheMetrics() throws Exception {
        Answer list = get("volumes");
        assertThat(list.status()).isEqualTo(200);
        JsonNode v = list.body().path("volumes").findParents("id").stream()
                .filter(n -> n.path("id").asText().equals("demo-cached")).findFirst().orElseThrow();
        assertThat(v.path("type").asText()).isEqualTo("cached");
        assertThat(v.path("size_bytes").asLong()).isEqualTo(1L << 30);
        assertThat(v.path("chunk_size").asInt()).isEqualTo(1 << 20);
        assertThat(v.path("state").asText()).isEqualTo("available");
        assertThat(v.path("open").asBoolean()).isTrue();

        Answer one = get("volumes/demo-cached");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body().path("metrics").path("cache_percent_used").isNumber()).isTrue();
        assertThat(one.body().path("metrics").has("time_since_last_recovery_point_ms")).isTrue();
        assertThat(one.body().path("metrics").path("writer_status").asText()).isEqualTo("ok");

        // The record was mirrored into the bucket when the volume was created at start.
        VolumeRecord mirrored = VolumeRecord.decode(daemon.store().get("catalog/volumes/demo-cached"), "bucket");
        assertThat(mirrored.sizeBytes()).isEqualTo(1L << 30);
    }

    @Test
    void storedVolumesTakeSnapshotsAndAreRestoredThroughTheApi() throws Exception {
        Answer taken = call("POST", "volumes/demo-stored/snapshots", "{\"description\": \"stored, by the API\"}");
        assertThat(taken.status()).isEqualTo(201);
        String sid = taken.body().path("id").asText();
        assertThat(get("volumes/demo-stored/snapshots").body().path("snapshots").findValuesAsText("id")).contains(sid);
        assertThat(get("volumes/demo-stored").body().path("metrics").path("chunks_changed_since_last_snapshot").asLong())
                .isZero();
        assertThat(get("volumes/demo-stored").body().path("metrics").path("writer_status").asText()).isEqualTo("ok");

        Answer stored = call("POST", "volumes",
                "{\"id\": \"stored-copy\", \"snapshot\": \"" + sid + "\", \"type\": \"stored\", \"path\": \"stored-copy.img\"}");
        assertThat(stored.status()).isEqualTo(201);
        assertThat(stored.body().path("config_lun").path("type").asText()).isEqualTo("stored");
        assertThat(stored.body().path("config_lun").path("path").asText()).endsWith("stored-copy.img");
        Answer cached = call("POST", "volumes",
                "{\"id\": \"cached-from-stored\", \"snapshot\": \"" + sid + "\", \"type\": \"cached\"}");
        assertThat(cached.status()).isEqualTo(201);
        assertThat(call("POST", "volumes", "{\"id\": \"stored-clone\", \"clone_of\": \"demo-stored\", \"type\": \"stored\","
                + " \"path\": \"c.img\"}").status()).isEqualTo(400);
        assertThat(call("POST", "volumes", "{\"id\": \"no-path\", \"snapshot\": \"" + sid + "\", \"type\": \"stored\"}")
                .status()).isEqualTo(400);
    }

    @Test
    void snapshotsAreTakenListedUsedForNewVolumesAndDeleted() throws Exception {
        Answer taken = call("POST", "volumes/demo-cached/snapshots", "{\"description\": \"before upgrade\"}");
        assertThat(taken.status()).isEqualTo(201);
        String sid = taken.body().path("id").asText();
        assertThat(sid).matches("snap-[0-9a-f]{16}");
        assertThat(taken.body().path("description").asText()).isEqualTo("before upgrade");
        assertThat(taken.body().path("scheduled").asBoolean()).isFalse();

        Answer list = get("volumes/demo-cached/snapshots");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().path("snapshots").findValuesAsText("id")).contains(sid);
        assertThat(get("snapshots/" + sid).body().path("volume").asText()).isEqualTo("demo-cached");

        Answer restored = call("POST", "volumes", "{\"id\": \"restored1\", \"snapshot\": \"" + sid + "\"}");
        assertThat(restored.status()).isEqualTo(201);
        assertThat(restored.body().path("state").asText()).isEqualTo("not_exported");
        assertThat(restored.body().path("source").path("snapshot").asText()).isEqualTo(sid);
        assertThat(restored.body().path("config_lun").toString())
                .isEqualTo("{\"type\":\"cached\",\"volume\":\"restored1\",\"size\":\"1GiB\",\"block_size\":512}");
        Answer clone = call("POST", "volumes", "{\"id\": \"clone1\", \"clone_of\": \"demo-cached\", \"block_size\": 4096}");
        assertThat(clone.status()).isEqualTo(201);
        assertThat(clone.body().path("source").path("volume").asText()).isEqualTo("demo-cached");
        assertThat(call("POST", "volumes", "{\"id\": \"clone1\", \"clone_of\": \"demo-cached\"}"))
                .isEqualTo(new Answer(409, JSON.readTree("{\"error\":\"volume clone1 already exists\"}")));
        // A volume made through the API can itself be snapshotted (it is in the cache, not exported).
        assertThat(call("POST", "volumes/clone1/snapshots", "").status()).isEqualTo(201);

        Answer catalog = get("catalog");
        assertThat(catalog.status()).isEqualTo(200);
        assertThat(catalog.body().path("volumes").findValuesAsText("id")).contains("demo-cached", "restored1", "clone1");

        Answer deleted = call("DELETE", "snapshots/" + sid, null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().path("deleted").asText()).isEqualTo(sid);
        assertThat(get("snapshots/" + sid).status()).isEqualTo(404);
        assertThat(call("DELETE", "snapshots/" + sid, null))
                .isEqualTo(new Answer(404, JSON.readTree("{\"error\":\"snapshot " + sid + " does not exist\"}")));
    }

    @Test
    void badInputAndUnknownIdsGetOneLineErrors() throws Exception {
        assertThat(call("POST", "volumes/demo-cached/snapshots", "{\"description\": ")).satisfies(a -> {
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.error()).startsWith("the request body is not valid JSON: ").doesNotContain("\n");
        });
        assertThat(call("POST", "volumes/demo-cached/snapshots", "{\"desc\": \"x\"}"))
                .isEqualTo(new Answer(400, JSON.readTree("{\"error\":\"unknown field \\\"desc\\\"; allowed: description\"}")));
        assertThat(call("POST", "volumes/demo-cached/snapshots", "[1]").status()).isEqualTo(400);
        assertThat(call("POST", "volumes/demo-cached/snapshots", "{\"description\": 5}").error())
                .isEqualTo("\"description\" must be a string");
        assertThat(call("POST", "volumes/demo-cached/snapshots", "{\"description\": \"" + "x".repeat(1025) + "\"}").error())
                .isEqualTo("the description is 1025 characters long; use at most 1024");
        assertThat(get("volumes/bad%20id!").status()).isEqualTo(400);
        assertThat(get("volumes/bad%20id!").error()).startsWith("volume id must be 1-128 characters");
        assertThat(get("volumes/nosuch")).isEqualTo(new Answer(404,
                JSON.readTree("{\"error\":\"volume nosuch is not in this gateway's catalog\"}")));
        assertThat(get("volumes/nosuch/snapshots").status()).isEqualTo(404);
        assertThat(call("POST", "volumes/nosuch/snapshots", "{}"))
                .isEqualTo(new Answer(404, JSON.readTree("{\"error\":\"volume nosuch does not exist\"}")));
        assertThat(call("DELETE", "snapshots/snap-0000000000000000", null).status()).isEqualTo(404);
        assertThat(call("DELETE", "snapshots/nonsense", null).error()).isEqualTo(
                "snapshot id must be 'snap-' and 16 lower-case hex digits, got 'nonsense'");
        assertThat(call("DELETE", "snapshots/nonsense", null).status()).isEqualTo(400);
        assertThat(call("POST", "volumes", "{\"id\": \"v2\"}").error())
                .isEqualTo("give either \"snapshot\" (a snapshot id) or \"clone_of\" (a volume id)");
        assertThat(call("POST", "volumes", "{\"id\": \"v2\", \"clone_of\": \"nosuch\"}").status()).isEqualTo(404);
        assertThat(call("POST", "volumes", "{\"id\": \"v2\", \"clone_of\": \"demo-cached\", \"block_size\": 1024}").error())
                .isEqualTo("block size 1024 is not supported; use 512 or 4096");
        assertThat(call("POST", "volumes", "{\"id\": \"v2\", \"clone_of\": \"demo-cached\", \"type\": \"tape\"}").error())
                .isEqualTo("volume type 'tape' is not known; write cached or stored");
        assertThat(call("POST", "volumes", "{\"id\": \"v2\", \"snapshot\": \"snap-0000000000000001\"}").status())
                .isEqualTo(404);
        assertThat(call("PUT", "volumes/demo-cached", "{}").status()).isEqualTo(405);
        assertThat(get("nothing-here").status()).isEqualTo(404);
        assertThat(get("volumes/demo-cached/snapshots/x/y").status()).isEqualTo(404);
        // The health endpoint still answers on the same port.
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThat(http.send(HttpRequest.newBuilder(api.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUnreachableBucketIs503(@TempDir Path cwd) throws Exception {
        FaultInjectingObjectStore store = new FaultInjectingObjectStore(new InMemoryObjectStore());
        Map<String, String> env = Map.of("STOWAGE_S3_ENDPOINT", "http://127.0.0.1:9", "STOWAGE_S3_BUCKET", "outage-bucket",
                "STOWAGE_S3_ACCESS_KEY_ID", "K", "STOWAGE_S3_SECRET_ACCESS_KEY", "admin-api-test-secret",
                "STOWAGE_DATA_DIR", cwd.resolve("other").toString(), "STOWAGE_HEALTH_LISTEN", "127.0.0.1:0");
        try (Daemon.Running r = Daemon.start(new Daemon.Launch(null, env, cwd, cwd.toString(), s -> store, FrontEnds.NONE,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), InstantSource.system(), false))) {
            URI base = URI.create("http://127.0.0.1:" + r.health().port() + "/api/v1/");
            store.outage(true);
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> a = http.send(HttpRequest.newBuilder(base.resolve("catalog")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(a.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(a.body()).path("error").asText()).startsWith("the bucket cannot be used now: ")
                        .doesNotContain("admin-api-test-secret");
                HttpResponse<String> v = http.send(HttpRequest.newBuilder(base.resolve("volumes")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(v.statusCode()).isEqualTo(200); // the local catalog needs no bucket
                assertThat(JSON.readTree(v.body()).path("volumes").isEmpty()).isTrue();
            } finally {
                store.outage(false);
            }
        }
    }

}
