package dev.stowage.core.store;

/** Whether an object can be read now, or sits in a cold storage class. */
public enum ArchiveState {
    /** Readable now (any non-archive storage class). */
    ONLINE,
    /** In a cold class and not restored: a read fails with {@link ArchivedException}. */
    ARCHIVED,
    /** A restore was requested and is in progress. */
    RESTORING,
    /** A temporary restored copy is readable until it expires. */
    RESTORED
}
