package dev.stowage.server.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowage.cache.VolumeHead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a volume's snapshot schedule has done: when it last took a snapshot, which snapshots it took
 * (the ones retention may delete; snapshots taken by hand are never listed), and whether a snapshot
 * was under way when the gateway stopped. Kept in {@code <data_dir>/catalog/schedules/<id>.json}
 * and mirrored to {@code catalog/schedules/<id>} in the bucket (JSON, format
 * {@code stowage-snapshot-schedule} version 1). Immutable.
 *
 * @param volumeId     the volume
 * @param since        when this gateway first ran the schedule (due times are counted from it until the first snapshot)
 * @param lastRun      when the last scheduled snapshot was taken, or null before the first
 * @param scheduled    ids of the scheduled snapshots that still exist, oldest first
 * @param pendingSince set while a scheduled snapshot is being taken (cleared after); null otherwise
 */
public record ScheduleState(String volumeId, Instant since, Instant lastRun, List<String> scheduled, Instant pendingSince) {

    public static final String FORMAT = "stowage-snapshot-schedule";
    public static final int VERSION = 1;
    public static final String PREFIX = "catalog/schedules/";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ScheduleState {
        VolumeHead.checkVolumeId(volumeId);
        scheduled = List.copyOf(scheduled);
        since = since == null ? null : Instant.ofEpochMilli(since.toEpochMilli());
        lastRun = lastRun == null ? null : Instant.ofEpochMilli(lastRun.toEpochMilli());
        pendingSince = pendingSince == null ? null : Instant.ofEpochMilli(pendingSince.toEpochMilli());
    }

    /** Never run (no saved state). */
    public static ScheduleState empty(String volumeId) {
        return new ScheduleState(volumeId, null, null, List.of(), null);
    }

    /** The time the next due time is counted from: the last scheduled snapshot, else when the schedule began. */
    Instant countFrom() {
        return lastRun != null ? lastRun : since;
    }

    ScheduleState startedAt(Instant at) {
        return new ScheduleState(volumeId, at, lastRun, scheduled, pendingSince);
    }

    public static String objectKey(String volumeId) {
        VolumeHead.checkVolumeId(volumeId);
        return PREFIX + volumeId;
    }

    ScheduleState pending(Instant since) {
        return new ScheduleState(volumeId, this.since, lastRun, scheduled, since);
    }

    /** After snapshot {@code id} was taken at {@code at}. */
    ScheduleState taken(String id, Instant at) {
        List<String> ids = new ArrayList<>(scheduled);
        if (!ids.contains(id)) {
            ids.add(id);
        }
        return new ScheduleState(volumeId, since, at, ids, null);
    }

    /** Adopts snapshots found after a stop during a scheduled snapshot. */
    ScheduleState adopted(List<String> ids, Instant at) {
        List<String> all = new ArrayList<>(scheduled);
        ids.stream().filter(i -> !all.contains(i)).forEach(all::add);
        return new ScheduleState(volumeId, since, ids.isEmpty() ? lastRun : at, all, null);
    }

    ScheduleState without(String id) {
        List<String> ids = new ArrayList<>(scheduled);
        ids.remove(id);
        return new ScheduleState(volumeId, since, lastRun, ids, pendingSince);
    }

    public byte[] encode() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("version", VERSION);
        n.put("volume", volumeId);
        if (since == null) {
            n.putNull("since");
        } else {
            n.put("since", since.toString());
        }
        if (lastRun == null) {
            n.putNull("last_run");
        } else {
            n.put("last_run", lastRun.toString());
        }
        ArrayNode a = n.putArray("scheduled_snapshots");
        scheduled.forEach(a::add);
        if (pendingSince == null) {
            n.putNull("pending_since");
        } else {
            n.put("pending_since", pendingSince.toString());
        }
        try {
            return (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a state document; {@link IllegalArgumentException} naming {@code where} when it is not one. */
    public static ScheduleState decode(byte[] data, String where) {
        try {
            JsonNode n = JSON.readTree(data);
            if (n == null || !FORMAT.equals(n.path("format").asText()) || n.path("version").asInt() != VERSION) {
                throw new IllegalArgumentException("not a version-" + VERSION + " " + FORMAT + " document");
            }
            List<String> ids = new ArrayList<>();
            n.path("scheduled_snapshots").forEach(x -> ids.add(x.asText()));
            return new ScheduleState(n.path("volume").asText(), instant(n.get("since")), instant(n.get("last_run")), ids,
                    instant(n.get("pending_since")));
        } catch (IOException | IllegalArgumentException | DateTimeException e) {
            throw new IllegalArgumentException(where + " is not a valid snapshot schedule state: " + e.getMessage(), e);
        }
    }

    private static Instant instant(JsonNode n) {
        return n == null || n.isNull() ? null : Instant.parse(n.asText());
    }
}
