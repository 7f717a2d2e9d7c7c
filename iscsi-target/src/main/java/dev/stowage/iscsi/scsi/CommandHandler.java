package dev.stowage.iscsi.scsi;

import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.sense.SenseException;

/**
 * Executes one decoded command. Throws {@link SenseException} for SCSI-level failures; a
 * {@link DeviceException} is mapped to sense data by the caller, in one place.
 */
@FunctionalInterface
public interface CommandHandler {
    ScsiResponse execute(Task task) throws SenseException, DeviceException;
}
