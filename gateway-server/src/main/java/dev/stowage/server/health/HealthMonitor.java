package dev.stowage.server.health;

import dev.stowage.server.check.BucketCheck;
import dev.stowage.server.check.BucketCheckException;
import dev.stowage.server.lifecycle.Service;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-checks the bucket every {@code interval} while the gateway runs and keeps the latest result
 * for the health endpoint. Logs once when S3 goes from ok to failing and once when it recovers.
 *
 * <p>Threading: checks run on one daemon thread of its own; {@link #status()} may be read from any
 * thread; {@link #checkNow()} may be called from any thread (tests call it instead of waiting).
 * Time comes from the injected {@link InstantSource}.
 */
public final class HealthMonitor implements Service {

    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

    /** Result of the latest check. {@code message} is null when ok. */
    public record S3Status(boolean ok, String message, Instant checkedAt) {
    }

    private final BucketCheck check;
    private final Duration interval;
    private final InstantSource clock;
    private final Instant startedAt;
    private volatile S3Status status;
    private ScheduledExecutorService executor;

    /**
     * @param check    the check to repeat ({@link BucketCheck#quickCheck()})
     * @param interval time between checks
     * @param clock    source of time for uptime and check times
     * @param initial  the result of the start-up check
     */
    public HealthMonitor(BucketCheck check, Duration interval, InstantSource clock, S3Status initial) {
        this.check = Objects.requireNonNull(check);
        this.interval = Objects.requireNonNull(interval);
        this.clock = Objects.requireNonNull(clock);
        this.startedAt = clock.instant();
        this.status = Objects.requireNonNull(initial);
    }

    @Override
    public String name() {
        return "s3-monitor";
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "s3-health-check");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        executor.scheduleWithFixedDelay(this::checkNow, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs one check now and records its result. */
    public S3Status checkNow() {
        S3Status next;
        try {
            check.quickCheck();
            next = new S3Status(true, null, clock.instant());
        } catch (BucketCheckException e) {
            next = new S3Status(false, e.getMessage(), clock.instant());
        } catch (RuntimeException e) {
            next = new S3Status(false, "S3 check failed: " + e, clock.instant());
        }
        S3Status previous = status;
        status = next;
        if (previous.ok() && !next.ok()) {
            log.atError().addKeyValue("event", "s3_down").log(next.message());
        } else if (!previous.ok() && next.ok()) {
            log.atInfo().addKeyValue("event", "s3_up").log("S3 is reachable again");
        }
        return next;
    }

    public S3Status status() {
        return status;
    }

    /** Time since this monitor was created (the gateway's start). */
    public Duration uptime() {
        return Duration.between(startedAt, clock.instant());
    }
}
