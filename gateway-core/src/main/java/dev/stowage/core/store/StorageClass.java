package dev.stowage.core.store;

/** S3 storage classes the gateway writes and understands; cold ones need a restore before reading. */
public enum StorageClass {
    STANDARD("STANDARD", false),
    STANDARD_IA("STANDARD_IA", false),
    ONEZONE_IA("ONEZONE_IA", false),
    INTELLIGENT_TIERING("INTELLIGENT_TIERING", false),
    REDUCED_REDUNDANCY("REDUCED_REDUNDANCY", false),
    GLACIER_IR("GLACIER_IR", false),
    GLACIER("GLACIER", true),
    DEEP_ARCHIVE("DEEP_ARCHIVE", true);

    private final String s3Name;
    private final boolean archive;

    StorageClass(String s3Name, boolean archive) {
        this.s3Name = s3Name;
        this.archive = archive;
    }

    /** The name S3 uses on the wire (x-amz-storage-class). */
    public String s3Name() {
        return s3Name;
    }

    /** True for classes whose objects must be restored before they can be read. */
    public boolean isArchive() {
        return archive;
    }

    /** Parses an S3 wire name; null or blank means STANDARD (S3 omits the header for STANDARD). */
    public static StorageClass fromS3(String name) {
        if (name == null || name.isBlank()) {
            return STANDARD;
        }
        for (StorageClass c : values()) {
            if (c.s3Name.equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown storage class '" + name + "'; use one of "
                + java.util.Arrays.toString(values()));
    }
}
