package dev.stowage.cache.stored;

import dev.stowage.core.chunk.manifest.VolumeManifest;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How stored volumes are tracked and snapshotted.
 *
 * @param chunkSize        bytes per chunk: the unit of change tracking and of the snapshot manifest;
 *                         a power of two from 64 KiB to 64 MiB (1 MiB by default). A cached volume
 *                         made from a stored volume's snapshot needs a cache of the same chunk size.
 * @param uploadThreads    chunks read and uploaded at once during a snapshot (4)
 * @param cowMemoryBytes   memory for copy-on-write copies of chunks written during a snapshot before
 *                         they were uploaded; beyond it copies go to a side file (64 MiB)
 * @param fanOut           manifest page fan-out of new volumes
 * @param retryInitial     first back-off after a failed chunk upload within a snapshot
 * @param retryMax         longest back-off
 * @param clock            time source for snapshot and manifest times
 */
public record StoredVolumeSettings(int chunkSize, int uploadThreads, long cowMemoryBytes, int fanOut,
                                   Duration retryInitial, Duration retryMax, Clock clock) {

    public static final int MIN_CHUNK = 64 * 1024;
    public static final int MAX_CHUNK = 64 * 1024 * 1024;

    public StoredVolumeSettings {
        if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("stored volume chunk size must be a power of two from " + MIN_CHUNK
                    + " to " + MAX_CHUNK + " bytes, got " + chunkSize);
        }
        if (uploadThreads < 1 || uploadThreads > 256) {
            throw new IllegalArgumentException("upload threads must be 1..256, got " + uploadThreads);
        }
        if (cowMemoryBytes < 0) {
            throw new IllegalArgumentException("copy-on-write memory must not be negative");
        }
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(clock, "clock");
        if (retryInitial.isNegative() || retryMax.compareTo(retryInitial) < 0) {
            throw new IllegalArgumentException("retry back-off must not be negative, and retryMax >= retryInitial");
        }
    }

    /** 1 MiB chunks, 4 upload threads, 64 MiB of copy-on-write memory, 200 ms to 10 s back-off, system clock. */
    public static StoredVolumeSettings defaults() {
        return new StoredVolumeSettings(1 << 20, 4, 64L << 20, VolumeManifest.DEFAULT_FAN_OUT,
                Duration.ofMillis(200), Duration.ofSeconds(10), Clock.systemUTC());
    }

    public StoredVolumeSettings withChunkSize(int bytes) {
        return new StoredVolumeSettings(bytes, uploadThreads, cowMemoryBytes, fanOut, retryInitial, retryMax, clock);
    }

    public StoredVolumeSettings withUploadThreads(int n) {
        return new StoredVolumeSettings(chunkSize, n, cowMemoryBytes, fanOut, retryInitial, retryMax, clock);
    }

    public StoredVolumeSettings withCowMemory(long bytes) {
        return new StoredVolumeSettings(chunkSize, uploadThreads, bytes, fanOut, retryInitial, retryMax, clock);
    }

    public StoredVolumeSettings withRetry(Duration initial, Duration max) {
        return new StoredVolumeSettings(chunkSize, uploadThreads, cowMemoryBytes, fanOut, initial, max, clock);
    }

    public StoredVolumeSettings withClock(Clock c) {
        return new StoredVolumeSettings(chunkSize, uploadThreads, cowMemoryBytes, fanOut, retryInitial, retryMax, c);
    }
}
