package dev.stowage.server.volumes;

import java.util.Locale;

/** Kinds of volumes, as written in the catalog and the admin API ({@code cached}, {@code stored}). */
public enum VolumeType {
    /** Primary data in the bucket, hot data in the write-back cache. */
    CACHED,
    /** Primary data on local disk, point-in-time snapshots to the bucket. */
    STORED;

    /** The name as written in JSON and YAML: lower case. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code cached} or {@code stored} (any case); {@link VolumeException} (invalid) otherwise. */
    public static VolumeType parse(String text) {
        for (VolumeType t : values()) {
            if (t.text().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return t;
            }
        }
        throw VolumeException.invalid("volume type '" + text + "' is not known; write cached or stored");
    }
}
