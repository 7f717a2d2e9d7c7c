package dev.stowage.core.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How an object is written.
 *
 * @param metadata     user metadata (stored as x-amz-meta-*); keys are lower-cased ASCII
 * @param storageClass storage class of the new object
 * @param contentType  MIME type, or null for application/octet-stream
 * @param ifNoneMatch  when true, write only if no object exists under the key
 *                     (If-None-Match: *); otherwise {@link PreconditionFailedException}
 * @param ifMatch      when not null, write only if the current object's ETag equals this;
 *                     otherwise {@link PreconditionFailedException}
 */
public record PutOptions(Map<String, String> metadata, StorageClass storageClass, String contentType,
                         boolean ifNoneMatch, String ifMatch) {

    public static final PutOptions DEFAULT = new PutOptions(Map.of(), StorageClass.STANDARD, null, false, null);

    public PutOptions {
        Objects.requireNonNull(storageClass, "storageClass");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        if (ifNoneMatch && ifMatch != null) {
            throw new IllegalArgumentException("ifNoneMatch and ifMatch cannot both be set");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public PutOptions withStorageClass(StorageClass c) {
        return new PutOptions(metadata, c, contentType, ifNoneMatch, ifMatch);
    }

    public PutOptions withMetadata(Map<String, String> m) {
        return new PutOptions(m, storageClass, contentType, ifNoneMatch, ifMatch);
    }

    /** Builder for the less common combinations. Not thread-safe. */
    public static final class Builder {
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private StorageClass storageClass = StorageClass.STANDARD;
        private String contentType;
        private boolean ifNoneMatch;
        private String ifMatch;

        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public Builder metadata(Map<String, String> all) {
            metadata.putAll(all);
            return this;
        }

        public Builder storageClass(StorageClass c) {
            this.storageClass = c;
            return this;
        }

        public Builder contentType(String t) {
            this.contentType = t;
            return this;
        }

        /** Create only: fail with {@link PreconditionFailedException} if the key exists. */
        public Builder ifNoneMatch() {
            this.ifNoneMatch = true;
            return this;
        }

        /** Replace only the object with this ETag. */
        public Builder ifMatch(String etag) {
            this.ifMatch = etag;
            return this;
        }

        public PutOptions build() {
            return new PutOptions(metadata, storageClass, contentType, ifNoneMatch, ifMatch);
        }
    }
}
