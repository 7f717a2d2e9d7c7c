package dev.stowage.core.store;

/**
 * Base of every object-store failure. The message is written for an operator: what happened and
 * what to change. Subclasses are the cases callers branch on.
 */
public abstract sealed class ObjectStoreException extends RuntimeException
        permits NotFoundException, AccessDeniedException, NoSuchBucketException, InvalidCredentialsException,
        WrongRegionException, ClockSkewException, ThrottledException, ArchivedException,
        PreconditionFailedException, UnavailableException, StoreFailureException {

    protected ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the same call may succeed later without anyone changing configuration. */
    public abstract boolean retryable();
}
