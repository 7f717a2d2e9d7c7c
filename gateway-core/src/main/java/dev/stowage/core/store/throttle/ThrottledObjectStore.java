package dev.stowage.core.store.throttle;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.ForwardingObjectStore;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.UploadPacer;

/**
 * An {@link ObjectStore} layer that holds traffic to the bucket to the limits of a
 * {@link BandwidthSchedule}: one {@link RateLimiter} for uploads, one for downloads, shared by
 * every caller, each reading the schedule's limit at the time of an injectable {@link Clock}.
 *
 * <p><b>What is charged.</b> Request bodies against the upload limit, before they are sent:
 * {@link #put} charges the data's length; {@link #putLarge} charges each multipart part (through
 * the wrapped store's {@link UploadPacer} calls, on the thread that sends the part), so a large
 * file goes up part by part at the limit instead of after one long wait. Response bodies against
 * the download limit: {@link #get} (whole or ranged) charges the bytes actually returned, after
 * they arrived, so the caller is held until they are paid for and its next request waits its
 * turn. Bodies are charged in slices of {@link #SLICE} bytes, so many callers interleave and a
 * limit change takes effect in the middle of a large body. Calls without bodies (head, list,
 * delete, server-side copy, restore requests) are not charged. The contract hands bodies over
 * whole ({@code byte[]}, a file, a part), so the limit holds the average rate; one request, once
 * admitted, still travels at line speed.
 *
 * <p><b>Threading and errors:</b> thread-safe, as the wrapped store. A caller interrupted while
 * waiting for bandwidth gets a {@link StoreFailureException} with its interrupt flag set again;
 * the request is then not sent (upload), or its data is dropped (download). Every other error is
 * the wrapped store's.
 */
public final class ThrottledObjectStore extends ForwardingObjectStore {

    /** Bodies are charged in pieces of at most this many bytes. */
    public static final int SLICE = 256 * 1024;
    /** How long a burst at line speed may last after a quiet spell. */
    public static final Duration BURST = Duration.ofSeconds(1);

    private final BandwidthSchedule schedule;
    private final Clock clock;
    private final RateLimiter upload;
    private final RateLimiter download;

    /** Real time: the system clock and sleeps. */
    public ThrottledObjectStore(ObjectStore delegate, BandwidthSchedule schedule) {
        this(delegate, schedule, Clock.systemUTC(), Sleeper.SYSTEM);
    }

    /**
     * @param delegate the store that does the work
     * @param schedule the limits
     * @param clock    the wall clock the schedule is read at
     * @param time     what the limiters measure and wait with
     */
    public ThrottledObjectStore(ObjectStore delegate, BandwidthSchedule schedule, Clock clock, Sleeper time) {
        super(delegate);
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.upload = new RateLimiter(() -> limit(true), time, BURST);
        this.download = new RateLimiter(() -> limit(false), time, BURST);
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        Objects.requireNonNull(data, "data");
        charge(upload, data.length, "upload", key);
        return delegate().put(key, data, options);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return putLarge(key, file, options, UploadPacer.NONE);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options, UploadPacer pacer) {
        Objects.requireNonNull(pacer, "pacer");
        return delegate().putLarge(key, file, options, bytes -> {
            pacer.beforeUpload(bytes);
            for (long left = bytes; left > 0; left -= SLICE) {
                upload.acquire(Math.min(left, SLICE));
            }
        });
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        byte[] data = delegate().get(key, range);
        charge(download, data.length, "download", key);
        return data;
    }

    /** The schedule this store follows. */
    public BandwidthSchedule schedule() {
        return schedule;
    }

    /** Bytes charged against the upload limit so far. */
    public long uploadedBytes() {
        return upload.grantedBytes();
    }

    /** Bytes charged against the download limit so far. */
    public long downloadedBytes() {
        return download.grantedBytes();
    }

    @Override
    public String describe() {
        return delegate().describe() + " (bandwidth limits: " + schedule + ")";
    }

    private void charge(RateLimiter limiter, long bytes, String direction, String key) {
        try {
            for (long left = bytes; left > 0; left -= SLICE) {
                limiter.acquire(Math.min(left, SLICE));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreFailureException("interrupted while waiting for " + direction + " bandwidth for " + key, e);
        }
    }

    private RateLimiter.Limit limit(boolean up) {
        Instant now = clock.instant();
        BandwidthSchedule.Limits limits = schedule.limitsAt(now);
        Instant next = schedule.nextChange(now);
        long valid = next.equals(Instant.MAX) ? Long.MAX_VALUE : Duration.between(now, next).toNanos();
        return new RateLimiter.Limit(up ? limits.upload() : limits.download(), valid);
    }
}
