package dev.stowage.server.volumes;

import java.util.Locale;

/** A volume's state in the catalog, as this gateway last saw it. */
public enum VolumeState {
    /** Exported by this gateway's configuration and open. */
    AVAILABLE,
    /** Exists (in the bucket) but this gateway's configuration does not export it: created through the admin API, or removed from the configuration. */
    NOT_EXPORTED;

    /** The name as written in JSON: lower case. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    static VolumeState parse(String text) {
        for (VolumeState s : values()) {
            if (s.text().equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown volume state '" + text + "'");
    }
}
