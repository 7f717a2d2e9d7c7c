package dev.stowage.cache;

import java.io.IOException;
import java.time.Duration;

/**
 * Something that takes a snapshot of a volume by id: the cache's {@link Snapshots} and the stored
 * volumes' manager. {@link SnapshotScheduler} drives either through this.
 *
 * <p>Implementations are thread-safe; a call blocks until the snapshot is recorded or has failed.
 */
@FunctionalInterface
public interface SnapshotTaker {

    /**
     * Takes and records a snapshot of {@code volumeId}.
     *
     * @param timeout how long the uploads may take (a bucket outage makes this fail, not hang)
     * @throws IllegalArgumentException when the volume is not known here
     * @throws IOException              when the snapshot could not be completed (nothing is recorded)
     */
    Snapshot snapshot(String volumeId, String description, Duration timeout) throws IOException, InterruptedException;
}
