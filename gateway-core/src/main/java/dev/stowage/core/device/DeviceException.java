package dev.stowage.core.device;

import java.io.IOException;
import java.util.Objects;

/** A device operation failed for {@link #error()}; the message is for the log, the reason is for the wire. */
public class DeviceException extends IOException {
    private final DeviceError error;

    public DeviceException(DeviceError error, String message) {
        this(error, message, null);
    }

    public DeviceException(DeviceError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public DeviceError error() {
        return error;
    }
}
