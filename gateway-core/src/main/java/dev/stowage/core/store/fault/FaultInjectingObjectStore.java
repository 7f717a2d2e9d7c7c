package dev.stowage.core.store.fault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.UnavailableException;
import dev.stowage.core.store.UploadPacer;

/**
 * Wraps any {@link ObjectStore} and injects failures, for tests of the layers above (cache uploader,
 * retry layer, tape archiving):
 * <ul>
 *   <li><b>scripted errors</b>: the next N calls of an operation fail with a given exception, either
 *       before the call reaches the store ({@link #failNext}) or after it did ({@link #failNextAfterCall}:
 *       the write happened but the caller sees an error, as when an answer is lost);</li>
 *   <li><b>random failures</b> at a rate, from a seeded {@link Random} ({@link #failRandomly});</li>
 *   <li><b>latency</b> added before each call ({@link #latency}), through an injectable {@link Sleeper};</li>
 *   <li><b>outage</b> mode: while on, every call throws {@link UnavailableException} ({@link #outage});</li>
 *   <li><b>counters</b> of calls per operation, of injected failures and of calls that reached the store.</li>
 * </ul>
 * Per call, the order is: count, latency, outage, scripted "before" fault, random fault, the real
 * call, scripted "after" fault. Default methods of {@link ObjectStore} ({@code get(key)},
 * {@code find}, {@code listAll}) go through {@link #get}, {@link #head} and {@link #list}, so they
 * are counted and faulted as those operations.
 *
 * <p><b>Threading:</b> thread-safe; faults can be scripted while other threads call the store.
 * Scripted faults are consumed in call order. With several threads the random sequence is still
 * seeded, but which call draws which number depends on scheduling.
 */
public final class FaultInjectingObjectStore implements ObjectStore {

    /** The operations that can be faulted and counted. */
    public enum Operation {
        PUT, PUT_LARGE, GET, HEAD, LIST, DELETE, COPY, RESTORE
    }

    /** How latency is spent; tests pass a recording sleeper to avoid real waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private record Fault(boolean afterCall, Supplier<? extends RuntimeException> error) {
    }

    private record RandomFaults(double rate, Random random, Supplier<? extends RuntimeException> error,
                                Set<Operation> operations) {
    }

    private final ObjectStore delegate;
    private final Sleeper sleeper;
    private final Map<Operation, Deque<Fault>> scripted = new EnumMap<>(Operation.class);
    private final Map<Operation, Duration> latency = new EnumMap<>(Operation.class);
    private final Map<Operation, AtomicLong> calls = new EnumMap<>(Operation.class);
    private final Map<Operation, AtomicLong> failures = new EnumMap<>(Operation.class);
    private final Map<Operation, AtomicLong> delegated = new EnumMap<>(Operation.class);
    private volatile boolean outage;
    private RandomFaults randomFaults; // guarded by this

    /** Wraps {@code delegate}; latency is spent with {@link Thread#sleep(Duration)}. */
    public FaultInjectingObjectStore(ObjectStore delegate) {
        this(delegate, Thread::sleep);
    }

    public FaultInjectingObjectStore(ObjectStore delegate, Sleeper sleeper) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        for (Operation op : Operation.values()) {
            scripted.put(op, new ArrayDeque<>());
            calls.put(op, new AtomicLong());
            failures.put(op, new AtomicLong());
            delegated.put(op, new AtomicLong());
        }
    }

    // ---- fault controls -----------------------------------------------------------------------

    /** The next {@code times} calls of {@code op} fail with {@code error} without reaching the store. */
    public FaultInjectingObjectStore failNext(Operation op, int times, Supplier<? extends RuntimeException> error) {
        return script(op, times, new Fault(false, Objects.requireNonNull(error, "error")));
    }

    /** The next {@code times} calls of {@code op} reach the store (writes happen), then fail with {@code error}. */
    public FaultInjectingObjectStore failNextAfterCall(Operation op, int times,
                                                       Supplier<? extends RuntimeException> error) {
        return script(op, times, new Fault(true, Objects.requireNonNull(error, "error")));
    }

    private synchronized FaultInjectingObjectStore script(Operation op, int times, Fault fault) {
        Objects.requireNonNull(op, "op");
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1, got " + times);
        }
        for (int i = 0; i < times; i++) {
            scripted.get(op).addLast(fault);
        }
        return this;
    }

    /**
     * Each call of the given operations (all when none given) fails with probability {@code rate},
     * drawn from a {@link Random} seeded with {@code seed}, before it reaches the store.
     */
    public synchronized FaultInjectingObjectStore failRandomly(double rate, long seed,
                                                               Supplier<? extends RuntimeException> error,
                                                               Operation... operations) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be between 0 and 1, got " + rate);
        }
        Set<Operation> ops = operations.length == 0 ? EnumSet.allOf(Operation.class)
                : EnumSet.copyOf(java.util.List.of(operations));
        randomFaults = new RandomFaults(rate, new Random(seed), Objects.requireNonNull(error, "error"), ops);
        return this;
    }

    /** Adds {@code delay} before every call. */
    public synchronized FaultInjectingObjectStore latency(Duration delay) {
        for (Operation op : Operation.values()) {
            latency(op, delay);
        }
        return this;
    }

    /** Adds {@code delay} before every call of {@code op} ({@link Duration#ZERO} for none). */
    public synchronized FaultInjectingObjectStore latency(Operation op, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        latency.put(op, delay);
        return this;
    }

    /** While on, every call fails with {@link UnavailableException} without reaching the store. */
    public FaultInjectingObjectStore outage(boolean on) {
        this.outage = on;
        return this;
    }

    public boolean inOutage() {
        return outage;
    }

    /** Removes scripted and random faults and latency, and ends an outage. Counters stay. */
    public synchronized FaultInjectingObjectStore clearFaults() {
        scripted.values().forEach(Deque::clear);
        latency.clear();
        randomFaults = null;
        outage = false;
        return this;
    }

    // ---- counters -----------------------------------------------------------------------------

    /** Calls of {@code op} made by callers, failed or not. */
    public long calls(Operation op) {
        return calls.get(op).get();
    }

    /** All calls made by callers. */
    public long totalCalls() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Calls of {@code op} that failed because of an injected fault or an outage. */
    public long injectedFailures(Operation op) {
        return failures.get(op).get();
    }

    /** Calls of {@code op} that reached the wrapped store. */
    public long delegatedCalls(Operation op) {
        return delegated.get(op).get();
    }

    /** Scripted faults of {@code op} not yet used. */
    public synchronized int pendingFaults(Operation op) {
        return scripted.get(op).size();
    }

    public void resetCounters() {
        for (Operation op : Operation.values()) {
            calls.get(op).set(0);
            failures.get(op).set(0);
            delegated.get(op).set(0);
        }
    }

    public ObjectStore delegate() {
        return delegate;
    }

    // ---- ObjectStore --------------------------------------------------------------------------

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        return run(Operation.PUT, () -> delegate.put(key, data, options));
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return run(Operation.PUT_LARGE, () -> delegate.putLarge(key, file, options));
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options, UploadPacer pacer) {
        return run(Operation.PUT_LARGE, () -> delegate.putLarge(key, file, options, pacer));
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        return run(Operation.GET, () -> delegate.get(key, range));
    }

    @Override
    public ObjectInfo head(String key) {
        return run(Operation.HEAD, () -> delegate.head(key));
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        return run(Operation.LIST, () -> delegate.list(prefix, continuation, maxKeys));
    }

    @Override
    public DeleteResult delete(Collection<String> keys) {
        return run(Operation.DELETE, () -> delegate.delete(keys));
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        return run(Operation.COPY, () -> delegate.copy(sourceKey, targetKey, options));
    }

    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        run(Operation.RESTORE, () -> {
            delegate.requestRestore(key, days, tier);
            return null;
        });
    }

    @Override
    public String describe() {
        return "fault-injecting " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> T run(Operation op, Supplier<T> call) {
        calls.get(op).incrementAndGet();
        Duration delay;
        Fault fault;
        RuntimeException randomError = null;
        boolean down;
        synchronized (this) {
            down = outage;
            delay = latency.getOrDefault(op, Duration.ZERO);
            fault = down ? null : scripted.get(op).pollFirst();
            if (!down && (fault == null || fault.afterCall()) && randomFaults != null
                    && randomFaults.operations().contains(op) && randomFaults.random().nextDouble() < randomFaults.rate()) {
                randomError = randomFaults.error().get();
            }
        }
        if (!delay.isZero()) {
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreFailureException("interrupted during injected latency before " + op, e);
            }
        }
        if (down) {
            failures.get(op).incrementAndGet();
            throw new UnavailableException("simulated outage: " + delegate.describe() + " cannot be reached");
        }
        if (fault != null && !fault.afterCall()) {
            failures.get(op).incrementAndGet();
            throw fault.error().get();
        }
        if (randomError != null) {
            failures.get(op).incrementAndGet();
            throw randomError;
        }
        delegated.get(op).incrementAndGet();
        T result = call.get();
        if (fault != null) {
            failures.get(op).incrementAndGet();
            throw fault.error().get();
        }
        return result;
    }
}
