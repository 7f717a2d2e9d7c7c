package dev.stowage.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.server.Daemon;
import dev.stowage.server.FrontEnds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery steps of docs/admin-api.md: a replacement gateway (new data directory, the same
 * bucket, the chunk-id key restored) sees the old gateway's volumes in the bucket's catalog, and
 * exports one again by adding its LUN, with its snapshots.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RecoveryFromCatalogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final InMemoryObjectStore bucket = new InMemoryObjectStore();

    private Daemon.Running start(Path dataDir, String luns) throws Exception {
        String iscsi = luns == null ? "" : """
                iscsi:
                  listen: 127.0.0.1:0
                  targets:
                    - iqn: iqn.2026-11.com.example:db1
                      luns:
                %s""".formatted(luns);
        Path config = Files.writeString(dir.resolve(dataDir.getFileName() + ".yaml"), """
                s3: {endpoint: http://127.0.0.1:9, bucket: recovery-test,
                     credentials: {access_key_id: K, secret_access_key: recovery-test-secret}}
                data_dir: %s
                health: {listen: 127.0.0.1:0}
                cache: {size: 8MiB, chunk_size: 1MiB}
                %s""".formatted(dataDir, iscsi));
        // Each gateway closes its store when it stops; the bucket outlives them.
        ObjectStore kept = new ForwardingObjectStore(bucket) {
            @Override
            public void close() {
            }
        };
        return Daemon.start(new Daemon.Launch(config, Map.of(), dir, dir.toString(), s -> kept, FrontEnds.CONFIGURED,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), InstantSource.system(), false));
    }

    private static JsonNode call(Daemon.Running d, String method, String path, String body) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + d.health().port() + "/api/v1/" + path);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).method(method, body == null
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isBetween(200, 299);
            return JSON.readTree(r.body());
        }
    }

    @Test
    void aReplacementGatewayFindsAndExportsTheVolumes() throws Exception {
        Path old = dir.resolve("old");
        String sid;
        try (Daemon.Running d = start(old, "        - {lun: 0, type: cached, volume: db1, size: 16MiB, block_size: 4096}\n")) {
            sid = call(d, "POST", "volumes/db1/snapshots", "{\"description\": \"weekly\"}").path("id").asText();
        }

        // The replacement: a new data directory with the restored chunk-id key, no LUNs yet.
        Path fresh = dir.resolve("new");
        Files.createDirectories(fresh.resolve("keys"));
        Files.copy(old.resolve("keys/chunk-id.key"), fresh.resolve("keys/chunk-id.key"));
        try (Daemon.Running d = start(fresh, null)) {
            assertThat(call(d, "GET", "volumes", null).path("volumes").isEmpty()).isTrue();
            JsonNode catalog = call(d, "GET", "catalog", null).path("volumes");
            assertThat(catalog).hasSize(1);
            assertThat(catalog.get(0).path("id").asText()).isEqualTo("db1");
            assertThat(catalog.get(0).path("size_bytes").asLong()).isEqualTo(16L << 20);
            assertThat(catalog.get(0).path("block_size").asInt()).isEqualTo(4096);
        }

        // The LUN added as the catalog says: the volume opens, with its snapshot.
        try (Daemon.Running d = start(fresh, "        - {lun: 0, type: cached, volume: db1, size: 16MiB, block_size: 4096}\n")) {
            JsonNode v = call(d, "GET", "volumes/db1", null);
            assertThat(v.path("state").asText()).isEqualTo("available");
            assertThat(v.path("open").asBoolean()).isTrue();
            assertThat(call(d, "GET", "volumes/db1/snapshots", null).path("snapshots").findValuesAsText("id"))
                    .containsExactly(sid);
        }
    }
}
