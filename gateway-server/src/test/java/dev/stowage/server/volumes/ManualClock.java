package dev.stowage.server.volumes;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock tests set by hand. Thread-safe. */
final class ManualClock implements InstantSource {
    private final AtomicReference<Instant> now;

    ManualClock(String iso) {
        now = new AtomicReference<>(Instant.parse(iso));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    void set(String iso) {
        now.set(Instant.parse(iso));
    }

    void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }
}
