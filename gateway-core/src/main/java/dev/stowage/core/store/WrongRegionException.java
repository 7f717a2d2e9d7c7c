package dev.stowage.core.store;

/** The bucket lives in another region than the one configured (301 PermanentRedirect, AuthorizationHeaderMalformed). */
public final class WrongRegionException extends ObjectStoreException {
    private final String bucketRegion;

    /** @param bucketRegion the region the store says the bucket is in, or null when it did not say */
    public WrongRegionException(String bucketRegion, String message, Throwable cause) {
        super(message, cause);
        this.bucketRegion = bucketRegion;
    }

    /** The region the bucket is actually in, or null when unknown. */
    public String bucketRegion() {
        return bucketRegion;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
