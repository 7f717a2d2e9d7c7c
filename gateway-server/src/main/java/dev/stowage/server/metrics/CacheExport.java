package dev.stowage.server.metrics;

import dev.stowage.cache.CacheMetrics;
import dev.stowage.cache.CachePool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports the write-back cache's {@link CacheMetrics} as {@code stowage_cache_*} families: the
 * pool-wide {@link CacheMetrics#snapshot()} and, labelled {@code volume}, each volume's
 * {@link CacheMetrics#volumeSnapshot(String)}. Known names get their type, help and unit (times in
 * seconds); a name the engine adds later is exported as a gauge {@code stowage_cache_<name>}.
 * A volume closed during the scrape is left out. Stateless; thread-safe.
 */
final class CacheExport {

    /** How one engine metric is exported: name, type, help, factor to the exported unit. */
    record Def(String name, PromText.Type type, String help, double scale) {
        static Def gauge(String name, String help) {
            return new Def(name, PromText.Type.GAUGE, help, 1);
        }

        static Def counter(String name, String help) {
            return new Def(name, PromText.Type.COUNTER, help, 1);
        }
    }

    static final String PREFIX = "stowage_cache_";

    private static final Map<String, Def> POOL = new LinkedHashMap<>();
    private static final Map<String, Def> VOLUME = new LinkedHashMap<>();

    static {
        POOL.put("cache_hit_percent", Def.gauge("hit_percent", "Share of bytes read that were served from the cache (100 when nothing was read)."));
        POOL.put("cache_dirty_percent", Def.gauge("dirty_percent", "Share of cache slots holding data not yet in a recovery point."));
        POOL.put("cache_used_percent", Def.gauge("used_percent", "Share of cache slots in use (clean or dirty)."));
        POOL.put("cache_size_bytes", Def.gauge("size_bytes", "Size of the cache."));
        POOL.put("upload_buffer_used_bytes", Def.gauge("upload_buffer_used_bytes", "Bytes of cached data not yet in a recovery point."));
        POOL.put("chunks_queued_for_upload", Def.gauge("queued_writes_chunks", "Chunks written and waiting for their upload to start."));
        POOL.put("uploads_in_flight", Def.gauge("uploads_in_flight", "Chunk uploads running now."));
        POOL.put("chunks_waiting_for_commit", Def.gauge("chunks_waiting_for_commit", "Chunks uploaded and waiting for the commit that puts them in a recovery point."));
        POOL.put("blocked_writers", Def.gauge("blocked_writers", "Writers waiting for cache space."));
        POOL.put("cloud_bytes_uploaded", Def.counter("cloud_uploaded_bytes_total", "Plaintext bytes handed to the bucket for upload (duplicates included)."));
        POOL.put("cloud_bytes_downloaded", Def.counter("cloud_downloaded_bytes_total", "Plaintext bytes fetched from the bucket."));
        POOL.put("chunks_uploaded", Def.counter("chunks_uploaded_total", "Chunks uploaded."));
        POOL.put("upload_failures", Def.counter("upload_failures_total", "Chunk uploads that failed (retried)."));
        POOL.put("commits", Def.counter("commits_total", "Recovery points committed."));
        POOL.put("evictions", Def.counter("evictions_total", "Clean chunks evicted from the cache."));
        POOL.put("journal_forces", Def.counter("journal_forces_total", "Forces of the cache's data file and journal."));
        POOL.put("journal_compactions", Def.counter("journal_compactions_total", "Compactions of the cache's journal."));
        POOL.put("max_time_since_last_recovery_point_ms", new Def("max_time_since_last_recovery_point_seconds", PromText.Type.GAUGE,
                "Largest time since a volume's data was last all in a recovery point (0 when nothing waits for upload).", 0.001));
        POOL.put("prefetched_chunks", Def.counter("prefetched_chunks_total", "Chunks fetched ahead of sequential reads."));
        POOL.put("prefetch_hits", Def.counter("prefetch_hits_total", "Chunks fetched ahead that a read then found in the cache."));
        POOL.put("reads_that_awaited_prefetch", Def.counter("reads_awaited_prefetch_total", "Read misses that waited for a prefetch under way."));
        POOL.put("prefetch_failures", Def.counter("prefetch_failures_total", "Prefetches that failed."));
        POOL.put("prefetches_dropped", Def.counter("prefetches_dropped_total", "Prefetches not started because a limit was reached."));
        POOL.put("warm_chunks_restored", Def.counter("warm_chunks_restored_total", "Clean chunks kept from the cache file at the last start."));
        POOL.put("warm_chunks_rejected", Def.counter("warm_chunks_rejected_total", "Kept clean chunks that failed their checksum and were read again."));
        VOLUME.put("time_since_last_recovery_point_ms", new Def("volume_time_since_last_recovery_point_seconds", PromText.Type.GAUGE,
                "Time since the volume's data was last all in a recovery point (0 when nothing of it waits for upload).", 0.001));
        VOLUME.put("recovery_point_generation", Def.gauge("volume_recovery_point_generation", "Generation of the volume's newest recovery point."));
    }

    private CacheExport() {
    }

    /** Writes the pool's families; nothing when {@code pool} is null (cache not started). */
    static void write(PromText out, CachePool pool) {
        if (pool == null) {
            return;
        }
        CacheMetrics metrics = pool.metrics();
        for (Map.Entry<String, Number> e : metrics.snapshot().entrySet()) {
            Def d = POOL.getOrDefault(e.getKey(), Def.gauge(e.getKey(), "Cache metric " + e.getKey() + "."));
            out.family(PREFIX + d.name(), d.type(), d.help()).sample(e.getValue().doubleValue() * d.scale());
        }
        Map<String, Map<String, Number>> perVolume = new LinkedHashMap<>();
        for (String id : new ArrayList<>(pool.volumeIds())) {
            try {
                perVolume.put(id, metrics.volumeSnapshot(id));
            } catch (IllegalArgumentException | NullPointerException e) {
                // closed while scraping: left out
            }
        }
        List<String> names = new ArrayList<>();
        perVolume.values().forEach(m -> m.keySet().forEach(k -> {
            if (!names.contains(k)) {
                names.add(k);
            }
        }));
        for (String name : names) {
            Def d = VOLUME.getOrDefault(name, Def.gauge("volume_" + name, "Cache metric " + name + " of a volume."));
            out.family(PREFIX + d.name(), d.type(), d.help());
            perVolume.forEach((id, m) -> {
                Number v = m.get(name);
                if (v != null) {
                    out.sample("volume", id, v.doubleValue() * d.scale());
                }
            });
        }
    }
}
