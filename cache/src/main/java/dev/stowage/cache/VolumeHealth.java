package dev.stowage.cache;

/**
 * Whether this gateway may keep writing a volume, as the daemon and the admin API show it.
 *
 * @param status what holds now
 * @param detail one line for the operator (what happened and what to do); empty when {@link Status#OK}
 */
public record VolumeHealth(Status status, String detail) {

    /** The states of a volume's ownership. */
    public enum Status {
        /** This gateway owns the volume and publishes its recovery points. */
        OK,
        /**
         * The owner record could not be checked yet (the bucket did not answer); writes go on, the
         * check is retried, and the conditional head writes still detect another writer.
         */
        OWNER_UNCHECKED,
        /**
         * Another gateway wrote the volume's head or took its owner record: this gateway stopped
         * committing and publishing the volume, keeps its acknowledged writes in the cache and
         * refuses new writes (read-only) until an operator takes the volume over.
         */
        CONFLICT
    }

    public static final VolumeHealth OK = new VolumeHealth(Status.OK, "");
}
