package dev.stowage.core.store.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * The token bucket, measured by the waits it asks its {@link Sleeper} for (a {@link ManualTime}),
 * never by the wall clock.
 */
class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    /** 1,000,000 B/s: every byte costs exactly 1,000 ns, so expected waits are exact. */
    private static final long RATE = 1_000_000;

    private final ManualTime time = new ManualTime(Instant.parse("2026-11-23T00:00:00Z"));

    @Test
    void aFullBucketGoesAtOnceThenBytesArePacedAtTheLimit() throws InterruptedException {
        RateLimiter limiter = RateLimiter.fixed(RATE, time);
        limiter.acquire(RATE); // one second's worth: the bucket
        assertThat(time.sleptNanos()).isZero();
        limiter.acquire(500_000);
        assertThat(time.sleptNanos()).isEqualTo(SECOND / 2);
        for (int i = 0; i < 90; i++) {
            limiter.acquire(100_000);
        }
        assertThat(time.sleptNanos()).isEqualTo(SECOND / 2 + 9 * SECOND);
        assertThat(limiter.grantedBytes()).isEqualTo(RATE + 500_000 + 9_000_000);
    }

    @Test
    void theBurstAfterAQuietSpellIsBoundedByTheBucket() throws InterruptedException {
        RateLimiter limiter = RateLimiter.fixed(RATE, time);
        limiter.acquire(RATE);
        time.advance(Duration.ofSeconds(60)); // idle for a minute: the bucket refills, but only to 1 s worth
        limiter.acquire(3 * RATE);
        assertThat(time.sleptNanos()).isEqualTo(2 * SECOND);
    }

    @Test
    void aRequestLargerThanTheBucketIsPacedInBucketSizedPieces() throws InterruptedException {
        RateLimiter limiter = RateLimiter.fixed(RATE, time);
        limiter.acquire(5 * RATE);
        assertThat(time.sleptNanos()).isEqualTo(4 * SECOND);
        assertThat(time.waits()).hasSize(4).allSatisfy(w -> assertThat(w).isEqualTo(SECOND));
    }

    @Test
    void slowLimitsStillHaveAMinimumBucket() throws InterruptedException {
        RateLimiter limiter = RateLimiter.fixed(1000, time); // 1 KB/s: one second would be 1,000 bytes
        limiter.acquire(RateLimiter.MIN_BURST_BYTES);
        assertThat(time.sleptNanos()).isZero();
        limiter.acquire(1000);
        assertThat(time.sleptNanos()).isEqualTo(SECOND);
    }

    @Test
    void unlimitedNeverWaits() throws InterruptedException {
        RateLimiter limiter = RateLimiter.fixed(BandwidthSchedule.UNLIMITED, time);
        for (int i = 0; i < 1000; i++) {
            limiter.acquire(1L << 30);
        }
        assertThat(time.sleptNanos()).isZero();
        assertThat(limiter.grantedBytes()).isEqualTo(1000L << 30);
    }

    @Test
    void aLimitChangeTakesEffectAtTheMomentTheSourceSaysItEnds() throws InterruptedException {
        // 1 MB/s for the first 2 s, then unlimited.
        RateLimiter limiter = new RateLimiter(() -> time.nanoTime() < 2 * SECOND
                ? new RateLimiter.Limit(RATE, 2 * SECOND - time.nanoTime())
                : RateLimiter.Limit.of(BandwidthSchedule.UNLIMITED), time, Duration.ofSeconds(1));
        limiter.acquire(RATE);
        limiter.acquire(50 * RATE);
        // Without the change this would take 50 s; it waits until the limit ends and no longer.
        assertThat(time.sleptNanos()).isEqualTo(2 * SECOND);
        assertThat(time.nanoTime()).isEqualTo(2 * SECOND);
    }

    @Test
    void aLowerLimitSlowsTheNextBytesDown() throws InterruptedException {
        AtomicReference<RateLimiter.Limit> limit = new AtomicReference<>(RateLimiter.Limit.of(RATE));
        RateLimiter limiter = new RateLimiter(limit::get, time, Duration.ofSeconds(1));
        limiter.acquire(2 * RATE);
        assertThat(time.sleptNanos()).isEqualTo(SECOND);
        limit.set(RateLimiter.Limit.of(RATE / 10));
        limiter.limitChanged();
        limiter.acquire(RATE / 10);
        assertThat(time.sleptNanos()).isEqualTo(2 * SECOND);
    }

    @Test
    void manyThreadsTogetherGetTheLimitNotMore() throws InterruptedException {
        RateLimiter limiter = RateLimiter.fixed(RATE, time);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        limiter.acquire(12_500);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30));
        }
        assertThat(failures).isEmpty();
        assertThat(threads).noneMatch(Thread::isAlive);
        // 8 x 20 x 12,500 = 2,000,000 bytes: one second from the bucket, one second of waiting.
        assertThat(limiter.grantedBytes()).isEqualTo(2 * RATE);
        assertThat(time.sleptNanos()).isEqualTo(SECOND);
        assertThat(limiter.queueLength()).isZero();
    }

    @Test
    void aSmallRequestIsServedBetweenThePiecesOfALargeOne() throws InterruptedException {
        // Real time here (the order of completion is asserted, not any duration): a 64 KiB bucket
        // at 1 MB/s, so the large request needs about half a second.
        RateLimiter limiter = new RateLimiter(() -> RateLimiter.Limit.of(RATE), Sleeper.SYSTEM, Duration.ofMillis(10));
        limiter.acquire(RateLimiter.MIN_BURST_BYTES); // empty the bucket
        List<String> done = new CopyOnWriteArrayList<>();
        Thread large = Thread.ofPlatform().start(() -> {
            try {
                limiter.acquire(8 * RateLimiter.MIN_BURST_BYTES);
                done.add("large");
            } catch (InterruptedException e) {
                done.add("interrupted");
            }
        });
        while (limiter.queueLength() == 0 && large.isAlive()) {
            Thread.onSpinWait();
        }
        limiter.acquire(1);
        done.add("small");
        large.join(Duration.ofSeconds(30));
        assertThat(done).containsExactly("small", "large");
    }

    @Test
    void aWaitingCallerCanBeInterrupted() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(() -> RateLimiter.Limit.of(1000), Sleeper.SYSTEM, Duration.ofSeconds(1));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                limiter.acquire(100L << 20); // 100 MiB at 1 KB/s: more than a day
                outcome.set(new AssertionError("acquire returned"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        while (limiter.grantedBytes() == 0 && t.isAlive()) {
            Thread.onSpinWait(); // until the first (free) piece is taken and it waits for the next
        }
        t.interrupt();
        t.join(Duration.ofSeconds(30));
        assertThat(t.isAlive()).isFalse();
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(limiter.queueLength()).isZero();
        assertThat(limiter.grantedBytes()).isEqualTo(RateLimiter.MIN_BURST_BYTES);
    }

    @Test
    void badArgumentsAreRefused() {
        RateLimiter limiter = RateLimiter.fixed(RATE, time);
        assertThatThrownBy(() -> limiter.acquire(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimiter.Limit.of(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimiter(() -> RateLimiter.Limit.of(1), time, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
