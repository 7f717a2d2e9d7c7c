package dev.stowage.core.store.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.ObjectStoreContractTest;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.ThrottledException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.fault.FaultInjectingObjectStore.Operation;
import dev.stowage.core.store.memory.InMemoryObjectStore;

/** The wrapper passes the whole contract when no fault is set, and injects exactly what it is told to. */
class FaultInjectingObjectStoreTest extends ObjectStoreContractTest {

    private final List<Duration> slept = new ArrayList<>();

    @Override
    protected ObjectStore newStore() {
        return new FaultInjectingObjectStore(new InMemoryObjectStore("inner", java.time.Clock.systemUTC(),
                MULTIPART_THRESHOLD, PART_SIZE), slept::add);
    }

    private FaultInjectingObjectStore faulty() {
        return (FaultInjectingObjectStore) store;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void failuresBeforeTheCallDoNotReachTheStore() {
        faulty().failNext(Operation.PUT, 2, () -> new ThrottledException("slow down (injected)"));

        assertThatThrownBy(() -> store.put("k", b("1"), PutOptions.DEFAULT)).isInstanceOf(ThrottledException.class);
        assertThat(faulty().pendingFaults(Operation.PUT)).isEqualTo(1);
        assertThatThrownBy(() -> store.put("k", b("2"), PutOptions.DEFAULT)).isInstanceOf(ThrottledException.class);
        store.put("k", b("3"), PutOptions.DEFAULT);

        assertThat(store.get("k")).isEqualTo(b("3"));
        assertThat(faulty().calls(Operation.PUT)).isEqualTo(3);
        assertThat(faulty().injectedFailures(Operation.PUT)).isEqualTo(2);
        assertThat(faulty().delegatedCalls(Operation.PUT)).isEqualTo(1);
        assertThat(faulty().calls(Operation.GET)).isEqualTo(1);
    }

    @Test
    void failuresAfterTheCallLoseTheAnswerButNotTheWrite() {
        faulty().failNextAfterCall(Operation.PUT, 1, () -> new UnavailableException("connection reset (injected)"));

        assertThatThrownBy(() -> store.put("lost-ack", b("written"), PutOptions.DEFAULT))
                .isInstanceOf(UnavailableException.class);

        assertThat(store.get("lost-ack")).isEqualTo(b("written"));
        assertThat(faulty().delegatedCalls(Operation.PUT)).isEqualTo(1);
    }

    @Test
    void outageFailsEveryCallUntilItEnds() {
        store.put("k", b("x"), PutOptions.DEFAULT);
        faulty().outage(true);

        assertThatThrownBy(() -> store.get("k")).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("outage").hasMessageContaining("inner");
        assertThatThrownBy(() -> store.list("", null, 10)).isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> store.requestRestore("k", 1, RestoreTier.BULK)).isInstanceOf(UnavailableException.class);
        assertThat(faulty().inOutage()).isTrue();

        faulty().outage(false);
        assertThat(store.get("k")).isEqualTo(b("x"));
        assertThat(faulty().injectedFailures(Operation.GET)).isEqualTo(1);
    }

    @Test
    void randomFailuresFollowTheSeedAndTheRate() {
        int failures = countRandomFailures(42);
        assertThat(failures).isBetween(200, 400); // 30 % of 1000, well inside the binomial spread
        assertThat(countRandomFailures(42)).isEqualTo(failures); // same seed, same sequence
        assertThat(faulty().calls(Operation.GET)).isZero();
    }

    private int countRandomFailures(long seed) {
        faulty().resetCounters();
        faulty().failRandomly(0.3, seed, () -> new UnavailableException("random (injected)"), Operation.HEAD);
        int failed = 0;
        for (int i = 0; i < 1000; i++) {
            try {
                store.find("k");
            } catch (UnavailableException e) {
                failed++;
            }
        }
        assertThat(faulty().injectedFailures(Operation.HEAD)).isEqualTo(failed);
        return failed;
    }

    @Test
    void latencyIsSpentBeforeEachCall() {
        faulty().latency(Duration.ofMillis(250)).latency(Operation.LIST, Duration.ofSeconds(2));
        store.put("k", b("x"), PutOptions.DEFAULT);
        store.list("", null, 10);

        assertThat(slept).containsExactly(Duration.ofMillis(250), Duration.ofSeconds(2));
        faulty().clearFaults();
        store.get("k");
        assertThat(slept).hasSize(2);
    }

    @Test
    void scriptedFaultsAreConsumedOnceEachUnderConcurrency() throws Exception {
        faulty().failNext(Operation.HEAD, 50, () -> new UnavailableException("injected"));
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                fs.add(pool.submit(() -> {
                    try {
                        store.head("nothing");
                    } catch (UnavailableException e) {
                        failed.incrementAndGet();
                    } catch (NotFoundException expected) {
                        // reached the store
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(failed.get()).isEqualTo(50);
        assertThat(faulty().calls(Operation.HEAD)).isEqualTo(200);
        assertThat(faulty().delegatedCalls(Operation.HEAD)).isEqualTo(150);
        assertThat(faulty().totalCalls()).isEqualTo(200);
    }

    @Test
    void badFaultSettingsAreRejected() {
        assertThatThrownBy(() -> faulty().failNext(Operation.GET, 0, () -> new UnavailableException("x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> faulty().failRandomly(1.5, 1, () -> new UnavailableException("x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> faulty().latency(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
