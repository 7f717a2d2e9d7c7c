package dev.stowage.server.metrics;

import dev.stowage.cache.Snapshot;
import dev.stowage.cache.stored.StoredVolume;
import dev.stowage.cache.stored.StoredVolumes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exports the stored volumes as {@code stowage_stored_volume_*} gauges labelled {@code volume}:
 * chunks changed since the last snapshot, and the seconds since that snapshot (only for volumes
 * that have one). A volume closed during the scrape is left out. Stateless; thread-safe.
 */
final class StoredExport {

    private StoredExport() {
    }

    /** Writes the stored volumes' families; nothing when {@code volumes} is null (not started). */
    static void write(PromText out, StoredVolumes volumes, Instant now) {
        if (volumes == null) {
            return;
        }
        Map<String, StoredVolume> open = new LinkedHashMap<>();
        for (String id : volumes.volumeIds()) {
            StoredVolume v = volumes.volume(id);
            if (v != null) {
                open.put(id, v);
            }
        }
        if (open.isEmpty()) {
            return;
        }
        out.gauge("stowage_stored_volume_changed_chunks", "Chunks of the stored volume changed since its last snapshot.");
        open.forEach((id, v) -> out.sample("volume", id, v.changedChunks()));
        out.gauge("stowage_stored_volume_seconds_since_last_snapshot",
                "Seconds since the stored volume's last snapshot (volumes without a snapshot are left out).");
        open.forEach((id, v) -> {
            Snapshot last = v.lastSnapshot();
            if (last != null) {
                out.sample("volume", id, Math.max(0, Duration.between(last.created(), now).toMillis()) / 1000.0);
            }
        });
    }
}
