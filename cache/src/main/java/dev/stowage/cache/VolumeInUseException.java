package dev.stowage.cache;

import java.io.IOException;

/**
 * Opening a volume was refused because another live gateway owns it (its owner record in the
 * bucket is recent). The message names that gateway and says what to do: stop it, or open the
 * volume with take-over.
 */
public final class VolumeInUseException extends IOException {
    public VolumeInUseException(String message) {
        super(message);
    }
}
