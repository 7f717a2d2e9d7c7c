package dev.stowage.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.stowage.cache.Snapshot;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.server.logging.Redactor;
import dev.stowage.server.volumes.NewVolume;
import dev.stowage.server.volumes.SnapshotScheduleRunner;
import dev.stowage.server.volumes.VolumeCatalog;
import dev.stowage.server.volumes.VolumeEngine;
import dev.stowage.server.volumes.VolumeException;
import dev.stowage.server.volumes.VolumeManager;
import dev.stowage.server.volumes.VolumeRecord;
import dev.stowage.server.volumes.VolumeType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin REST API under {@code /api/v1/} (docs/admin-api.md): volumes, snapshots and the
 * bucket's catalog, as JSON. Served on the health endpoint's port; answers loopback clients only
 * (403 otherwise) and has no authentication, so it must never be reachable from other machines.
 *
 * <p>Errors are mapped here, once: bad input 400, unknown ids 404, clashes 409, bucket unreachable
 * (or a snapshot whose uploads did not finish in time) 503, each with {@code {"error": "<one line>"}};
 * anything unexpected is 500 with a generic message (details only in the log), never a stack trace.
 *
 * <p>Threading: called concurrently by the HTTP server's threads; holds no state of its own.
 */
public final class AdminApi implements HttpHandler {

    /** Path prefix of every endpoint. */
    public static final String PREFIX = "/api/v1/";

    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final VolumeManager volumes;
    private final SnapshotScheduleRunner schedules;
    private final Path dataDir;

    /** @param dataDir relative {@code path}s of new stored volumes are inside it */
    public AdminApi(VolumeManager volumes, SnapshotScheduleRunner schedules, Path dataDir) {
        this.volumes = volumes;
        this.schedules = schedules;
        this.dataDir = dataDir;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            int status;
            JsonNode body;
            try {
                InetSocketAddress remote = ex.getRemoteAddress();
                if (remote == null || remote.getAddress() == null || !remote.getAddress().isLoopbackAddress()) {
                    throw new ApiException(403, "the admin API answers only on this machine (loopback)");
                }
                Response r = route(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex);
                status = r.status();
                body = r.body();
            } catch (ApiException e) {
                status = e.status();
                body = error(e.getMessage());
                if (status == 405) {
                    ex.getResponseHeaders().set("Allow", allowed(ex.getRequestURI().getRawPath()));
                }
            } catch (VolumeException e) {
                status = switch (e.reason()) {
                    case INVALID -> 400;
                    case NOT_FOUND -> 404;
                    case CONFLICT -> 409;
                    case UNAVAILABLE -> 503;
                };
                body = error(e.getMessage());
            } catch (NotFoundException e) {
                status = 404;
                body = error(e.getMessage());
            } catch (ObjectStoreException e) {
                status = 503;
                body = error("the bucket cannot be used now: " + e.getMessage());
            } catch (IOException e) {
                status = 503;
                body = error(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 503;
                body = error("the gateway is stopping");
            } catch (IllegalArgumentException e) {
                status = 400;
                body = error(e.getMessage());
            } catch (RuntimeException e) {
                log.atError().setCause(e).log("admin API {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath());
                status = 500;
                body = error("internal error (" + e.getClass().getSimpleName() + "); see the gateway log");
            }
            send(ex, status, body);
        }
    }

    private record Response(int status, JsonNode body) {
    }

    private Response route(String method, String path, HttpExchange ex) throws IOException, InterruptedException {
        if (!path.startsWith(PREFIX)) {
            throw ApiException.notFound("no such endpoint: " + path);
        }
        String[] p = path.substring(PREFIX.length()).replaceAll("/+$", "").split("/", -1);
        for (int i = 0; i < p.length; i++) {
            p[i] = java.net.URLDecoder.decode(p[i], StandardCharsets.UTF_8);
        }
        if (p.length == 1 && p[0].equals("volumes")) {
            return switch (method) {
                case "GET" -> new Response(200, listVolumes());
                case "POST" -> new Response(201, createVolume(body(ex)));
                default -> throw new ApiException(405, "use GET or POST on " + path);
            };
        }
        if (p.length == 2 && p[0].equals("volumes")) {
            requireMethod(method, "GET", path);
            return new Response(200, volumeDetail(p[1]));
        }
        if (p.length == 3 && p[0].equals("volumes") && p[2].equals("snapshots")) {
            return switch (method) {
                case "GET" -> new Response(200, listSnapshots(p[1]));
                case "POST" -> new Response(201, takeSnapshot(p[1], body(ex)));
                default -> throw new ApiException(405, "use GET or POST on " + path);
            };
        }
        if (p.length == 2 && p[0].equals("snapshots")) {
            return switch (method) {
                case "GET" -> new Response(200, snapshotJson(volumes.snapshotRecord(p[1])));
                case "DELETE" -> {
                    Snapshot s = volumes.deleteSnapshot(p[1]);
                    ObjectNode n = JSON.createObjectNode();
                    n.put("deleted", s.id());
                    n.put("volume", s.volumeId());
                    yield new Response(200, n);
                }
                default -> throw new ApiException(405, "use GET or DELETE on " + path);
            };
        }
        if (p.length == 1 && p[0].equals("catalog")) {
            requireMethod(method, "GET", path);
            return new Response(200, bucketCatalog());
        }
        throw ApiException.notFound("no such endpoint: " + path + " (see docs/admin-api.md)");
    }

    private static String allowed(String path) {
        String rest = path.startsWith(PREFIX) ? path.substring(PREFIX.length()).replaceAll("/+$", "") : "";
        if (rest.equals("volumes") || rest.endsWith("/snapshots")) {
            return "GET, POST";
        }
        return rest.startsWith("snapshots/") ? "GET, DELETE" : "GET";
    }

    private static void requireMethod(String method, String expected, String path) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "use " + expected + " on " + path);
        }
    }

    // ---- volumes ---------------------------------------------------------------------------------

    private JsonNode listVolumes() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode a = out.putArray("volumes");
        for (VolumeRecord r : volumes.volumes()) {
            a.add(volumeJson(r));
        }
        return out;
    }

    private ObjectNode volumeJson(VolumeRecord r) {
        ObjectNode n = r.toJson();
        n.remove("format");
        n.remove("version");
        n.put("open", volumes.engineOf(r.id()).isPresent());
        Optional<SnapshotScheduleRunner.Status> st = schedules.status(r.id());
        if (st.isPresent()) {
            SnapshotScheduleRunner.Status s = st.get();
            ObjectNode sn = n.putObject("snapshot_schedule");
            sn.put("every", s.config().everyHours() + "h");
            sn.put("at", String.format("%02d:00", s.config().startHour()));
            sn.put("time_zone", s.config().zone().getId());
            sn.put("retain", s.config().retain());
            sn.put("description", s.config().description());
            sn.put("next_due", s.nextDue().toString());
            if (s.lastRun() != null) {
                sn.put("last_run", s.lastRun().toString());
            } else {
                sn.putNull("last_run");
            }
            if (s.lastError() != null) {
                sn.put("last_error", Redactor.redact(s.lastError()));
            } else {
                sn.putNull("last_error");
            }
            sn.put("scheduled_snapshots", s.scheduledSnapshots().size());
        } else {
            n.putNull("snapshot_schedule");
        }
        return n;
    }

    private JsonNode volumeDetail(String id) {
        VolumeRecord r = volumes.volume(id);
        ObjectNode n = volumeJson(r);
        Optional<VolumeEngine> e = volumes.engineOf(id);
        Map<String, Object> metrics = e.isPresent() ? e.get().metrics(id) : Map.of();
        n.set("metrics", metrics.isEmpty() ? JSON.nullNode() : JSON.valueToTree(metrics));
        return n;
    }

    private JsonNode createVolume(JsonNode body) throws IOException {
        fields(body, Set.of("id", "snapshot", "clone_of", "type", "block_size", "path"));
        String id = text(body, "id", true);
        String snapshot = text(body, "snapshot", false);
        String cloneOf = text(body, "clone_of", false);
        if ((snapshot == null) == (cloneOf == null)) {
            throw ApiException.badRequest("give either \"snapshot\" (a snapshot id) or \"clone_of\" (a volume id)");
        }
        String typeText = text(body, "type", false);
        String source = cloneOf != null ? cloneOf : volumes.snapshotRecord(snapshot).volumeId();
        VolumeType type = typeText == null ? volumes.defaultType(source) : VolumeType.parse(typeText);
        int blockSize = 512;
        if (body.has("block_size")) {
            if (!body.get("block_size").isInt()) {
                throw ApiException.badRequest("\"block_size\" must be 512 or 4096");
            }
            blockSize = body.get("block_size").asInt();
        }
        String pathText = text(body, "path", false);
        Path path = pathText == null ? null : dataDir.resolve(pathText).toAbsolutePath().normalize();
        VolumeRecord r = volumes.create(new NewVolume(id, type, snapshot, cloneOf, blockSize, path));
        ObjectNode n = volumeJson(r);
        n.put("next_step", "the volume is not exported yet: add a LUN like config_lun to a target in the iscsi "
                + "section of the configuration and restart the gateway");
        ObjectNode lun = n.putObject("config_lun");
        lun.put("type", r.type().text());
        lun.put("volume", r.id());
        if (r.type() == VolumeType.STORED && path != null) {
            lun.put("path", path.toString());
        }
        lun.put("size", sizeText(r.sizeBytes()));
        lun.put("block_size", r.blockSize());
        return n;
    }

    private static String sizeText(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        return Long.toString(bytes);
    }

    private JsonNode bucketCatalog() {
        VolumeCatalog.BucketView v = volumes.bucketCatalog();
        ObjectNode out = JSON.createObjectNode();
        ArrayNode a = out.putArray("volumes");
        for (VolumeRecord r : v.volumes()) {
            ObjectNode n = r.toJson();
            n.remove("format");
            n.remove("version");
            a.add(n);
        }
        ArrayNode u = out.putArray("uncataloged_volumes");
        v.uncataloged().forEach(u::add);
        ArrayNode bad = out.putArray("unreadable_records");
        v.unreadable().forEach(bad::add);
        return out;
    }

    // ---- snapshots -------------------------------------------------------------------------------

    private JsonNode listSnapshots(String volumeId) {
        ObjectNode out = JSON.createObjectNode();
        out.put("volume", volumeId);
        ArrayNode a = out.putArray("snapshots");
        for (Snapshot s : volumes.snapshots(volumeId)) {
            a.add(snapshotJson(s));
        }
        return out;
    }

    private JsonNode takeSnapshot(String volumeId, JsonNode body) throws IOException, InterruptedException {
        fields(body, Set.of("description"));
        String description = text(body, "description", false);
        return snapshotJson(volumes.snapshot(volumeId, description == null ? "" : description));
    }

    private ObjectNode snapshotJson(Snapshot s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", s.id());
        n.put("volume", s.volumeId());
        n.put("created", s.created().toString());
        n.put("description", s.description());
        n.put("size_bytes", s.sizeBytes());
        n.put("generation", s.generation());
        n.put("root", s.root().hex());
        n.put("scheduled", schedules.isScheduled(s.volumeId(), s.id()));
        return n;
    }

    // ---- request and response ----------------------------------------------------------------------

    /** The request body as a JSON object; an empty body is an empty object. */
    private static JsonNode body(HttpExchange ex) throws IOException {
        byte[] data;
        try (InputStream in = ex.getRequestBody()) {
            data = in.readNBytes(MAX_BODY + 1);
        }
        if (data.length > MAX_BODY) {
            throw ApiException.badRequest("the request body is larger than " + (MAX_BODY / 1024) + " KiB");
        }
        if (new String(data, StandardCharsets.UTF_8).isBlank()) {
            return JSON.createObjectNode();
        }
        JsonNode n;
        try {
            n = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not valid JSON: "
                    + e.getOriginalMessage().replaceAll("\\s+", " "));
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object, e.g. {\"description\": \"before upgrade\"}");
        }
        return n;
    }

    private static void fields(JsonNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiException.badRequest("unknown field \"" + f + "\"; allowed: " + String.join(", ",
                        allowed.stream().sorted().toList()));
            }
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest("\"" + field + "\" is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    private static ObjectNode error(String message) {
        ObjectNode n = JSON.createObjectNode();
        String m = message == null ? "error" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
        n.put("error", Redactor.redact(m));
        return n;
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
