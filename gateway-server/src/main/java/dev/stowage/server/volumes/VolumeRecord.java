package dev.stowage.server.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.cache.VolumeHead;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Objects;

/**
 * A volume's entry in the gateway catalog, kept under the data directory and mirrored into the
 * bucket as {@code catalog/volumes/<id>}: a small JSON document, format {@code stowage-volume}
 * version 1 (docs/s3-layout.md). Readers ignore fields they do not know; a higher version is
 * refused. Immutable.
 *
 * @param id             volume id
 * @param type           cached or stored
 * @param sizeBytes      size in bytes
 * @param blockSize      logical block size (512 or 4096)
 * @param chunkSize      bytes per chunk in the bucket
 * @param created        when the catalog first recorded the volume (its creation, for volumes made by this version)
 * @param sourceSnapshot the snapshot it was made from, or null
 * @param sourceVolume   the volume it was cloned from, or null
 * @param state          as this gateway last saw it
 * @param updated        when this record was last written
 */
public record VolumeRecord(String id, VolumeType type, long sizeBytes, int blockSize, int chunkSize, Instant created,
                           String sourceSnapshot, String sourceVolume, VolumeState state, Instant updated) {

    /** The {@code format} field. */
    public static final String FORMAT = "stowage-volume";
    /** The version this code writes and reads. */
    public static final int VERSION = 1;
    /** Bucket key prefix of the records. */
    public static final String PREFIX = "catalog/volumes/";

    private static final ObjectMapper JSON = new ObjectMapper();

    public VolumeRecord {
        VolumeHead.checkVolumeId(id);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updated, "updated");
        created = Instant.ofEpochMilli(created.toEpochMilli());
        updated = Instant.ofEpochMilli(updated.toEpochMilli());
    }

    /** {@code catalog/volumes/<id>}. */
    public static String objectKey(String id) {
        VolumeHead.checkVolumeId(id);
        return PREFIX + id;
    }

    /** The same record in another state, written at {@code now}. */
    public VolumeRecord withState(VolumeState s, Instant now) {
        return new VolumeRecord(id, type, sizeBytes, blockSize, chunkSize, created, sourceSnapshot, sourceVolume, s, now);
    }

    /** The same record with the engine's current facts (size, block and chunk size), written at {@code now}. */
    public VolumeRecord withFacts(VolumeInfo i, VolumeState s, Instant now) {
        return new VolumeRecord(id, i.type(), i.sizeBytes(), i.blockSize(), i.chunkSize(), created, sourceSnapshot,
                sourceVolume, s, now);
    }

    /** True when both describe the same volume the same way (times of writing aside). */
    public boolean sameAs(VolumeRecord o) {
        return o != null && id.equals(o.id) && type == o.type && sizeBytes == o.sizeBytes && blockSize == o.blockSize
                && chunkSize == o.chunkSize && Objects.equals(sourceSnapshot, o.sourceSnapshot)
                && Objects.equals(sourceVolume, o.sourceVolume) && state == o.state;
    }

    /** The JSON tree (also what the admin API shows). */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("version", VERSION);
        n.put("id", id);
        n.put("type", type.text());
        n.put("size_bytes", sizeBytes);
        n.put("block_size", blockSize);
        n.put("chunk_size", chunkSize);
        n.put("created", created.toString());
        if (sourceSnapshot != null || sourceVolume != null) {
            ObjectNode src = n.putObject("source");
            if (sourceSnapshot != null) {
                src.put("snapshot", sourceSnapshot);
            }
            if (sourceVolume != null) {
                src.put("volume", sourceVolume);
            }
        } else {
            n.putNull("source");
        }
        n.put("state", state.text());
        n.put("updated", updated.toString());
        return n;
    }

    /** UTF-8 JSON, one line plus a newline. */
    public byte[] encode() {
        try {
            return (JSON.writeValueAsString(toJson()) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a record; {@link IllegalArgumentException} naming {@code where} when it is not a valid version-1 record. */
    public static VolumeRecord decode(byte[] data, String where) {
        JsonNode n;
        try {
            n = JSON.readTree(data);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject() || !FORMAT.equals(n.path("format").asText())) {
            throw new IllegalArgumentException(where + " is not a " + FORMAT + " record");
        }
        int version = n.path("version").asInt(-1);
        if (version != VERSION) {
            throw new IllegalArgumentException(where + " is a " + FORMAT + " record of version " + version
                    + "; this gateway reads version " + VERSION + " (written by a newer gateway?)");
        }
        try {
            JsonNode src = n.path("source");
            return new VolumeRecord(text(n, "id"), VolumeType.parse(text(n, "type")), n.path("size_bytes").asLong(),
                    n.path("block_size").asInt(), n.path("chunk_size").asInt(), Instant.parse(text(n, "created")),
                    src.hasNonNull("snapshot") ? src.get("snapshot").asText() : null,
                    src.hasNonNull("volume") ? src.get("volume").asText() : null,
                    VolumeState.parse(text(n, "state")), Instant.parse(text(n, "updated")));
        } catch (IllegalArgumentException | DateTimeException | VolumeException e) {
            throw new IllegalArgumentException(where + " is not a valid " + FORMAT + " record: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field " + field + " is missing");
        }
        return v.asText();
    }
}
