package dev.stowage.server.volumes;

import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PutOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@link ScheduleState}s live: {@code <data_dir>/catalog/schedules/<id>.json} (the truth,
 * replaced atomically), mirrored to {@code catalog/schedules/<id>} in the bucket. A gateway without
 * a local file (a replacement) starts from the bucket's copy, so retention keeps counting the
 * snapshots its predecessor's schedule took.
 *
 * <p><b>Errors:</b> a failed local write is an {@link IOException}; a failed bucket write is logged
 * and retried by {@link #mirrorPending()}. <b>Threading:</b> thread-safe (synchronized).
 */
public final class ScheduleStates {

    private static final Logger log = LoggerFactory.getLogger(ScheduleStates.class);
    private static final PutOptions JSON_PUT = PutOptions.builder().contentType("application/json").build();

    private final Path dir;
    private final ObjectStore bucket;
    private final Map<String, ScheduleState> pending = new LinkedHashMap<>();

    /** @param dir {@code <data_dir>/catalog/schedules} */
    public ScheduleStates(Path dir, ObjectStore bucket) {
        this.dir = dir;
        this.bucket = bucket;
    }

    /** The saved state of {@code volumeId}: local file, else the bucket's copy, else empty. */
    public synchronized ScheduleState load(String volumeId) throws IOException {
        Path f = file(volumeId);
        if (Files.exists(f)) {
            try {
                return ScheduleState.decode(Files.readAllBytes(f), f.toString());
            } catch (IllegalArgumentException e) {
                log.warn("{}; starting the schedule afresh", e.getMessage());
                return ScheduleState.empty(volumeId);
            }
        }
        String key = ScheduleState.objectKey(volumeId);
        try {
            ScheduleState s = ScheduleState.decode(bucket.get(key), key);
            log.atInfo().addKeyValue("volume", volumeId).log("snapshot schedule state read from the bucket");
            AtomicFiles.write(f, s.encode());
            return s;
        } catch (NotFoundException e) {
            return ScheduleState.empty(volumeId);
        } catch (IllegalArgumentException e) {
            log.warn("{}; starting the schedule afresh", e.getMessage());
            return ScheduleState.empty(volumeId);
        } catch (ObjectStoreException e) {
            log.warn("cannot read the snapshot schedule state of volume {} from the bucket ({}); starting afresh",
                    volumeId, e.getMessage());
            return ScheduleState.empty(volumeId);
        }
    }

    /** Saves {@code s} locally (crash-safe), then into the bucket (retried later when that fails). */
    public synchronized void save(ScheduleState s) throws IOException {
        AtomicFiles.write(file(s.volumeId()), s.encode());
        pending.put(s.volumeId(), s);
        mirrorPending();
    }

    /** Retries the bucket copies that failed; returns how many are still pending. */
    public synchronized int mirrorPending() {
        for (ScheduleState s : List.copyOf(pending.values())) {
            try {
                bucket.put(ScheduleState.objectKey(s.volumeId()), s.encode(), JSON_PUT);
                pending.remove(s.volumeId());
            } catch (ObjectStoreException e) {
                log.atWarn().addKeyValue("volume", s.volumeId())
                        .log("snapshot schedule state not yet copied to the bucket, will retry: {}", e.getMessage());
                break;
            }
        }
        return pending.size();
    }

    private Path file(String volumeId) {
        return dir.resolve(volumeId + ".json");
    }
}
