package dev.stowage.server;

import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.throttle.BandwidthSchedule;
import dev.stowage.core.store.throttle.ThrottledObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the bucket behind the {@code bandwidth} limits for the front ends (the cache's uploads and
 * fetches). The start-up check and the health monitor keep the plain store, so a slow limit never
 * delays or fails them. Stateless.
 */
final class BandwidthLimits {

    private static final Logger log = LoggerFactory.getLogger(BandwidthLimits.class);

    private BandwidthLimits() {
    }

    /** {@code store} wrapped in a {@link ThrottledObjectStore}, or {@code store} itself when nothing is limited. */
    static ObjectStore apply(BandwidthSchedule schedule, ObjectStore store) {
        if (schedule == null || schedule.unlimited()) {
            return store;
        }
        log.atInfo().addKeyValue("limits", schedule).log("bandwidth limits for the bucket");
        return new ThrottledObjectStore(store, schedule);
    }
}
