package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

/**
 * SYNCHRONIZE CACHE(10/16) and PRE-FETCH(10/16) (SBC-3 5.18, 5.22-5.23). SYNCHRONIZE CACHE makes
 * every completed write stable through {@code BlockDevice.flush} (the whole device, which covers
 * any range asked for) before answering, even with IMMED set. PRE-FETCH has
 * nothing to load ahead of time here, so it completes with CONDITION MET (the range fits in cache).
 */
public final class CacheControl {
    private CacheControl() {
    }

    public static ScsiResponse synchronizeCache10(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xf9);     // IMMED (bit 1) and obsolete SYNC_NV (bit 2) accepted
        Extent.checked(t, t.u32(2), t.u16(7), -1, 7);
        t.lu().device().flush();
        return ScsiResponse.good();
    }

    public static ScsiResponse synchronizeCache16(Task t) throws SenseException, DeviceException {
        t.requireZero(1, 0xf9);
        Extent.checked(t, t.u64(2), t.u32(10), -1, 10);
        t.lu().device().flush();
        return ScsiResponse.good();
    }

    public static ScsiResponse prefetch10(Task t) throws SenseException {
        t.requireZero(1, 0xfd);     // IMMED allowed (bit 1)
        Extent.checked(t, t.u32(2), t.u16(7), -1, 7);
        return new ScsiResponse(ScsiResponse.CONDITION_MET, null, null);
    }

    public static ScsiResponse prefetch16(Task t) throws SenseException {
        t.requireZero(1, 0xfd);
        Extent.checked(t, t.u64(2), t.u32(10), -1, 10);
        return new ScsiResponse(ScsiResponse.CONDITION_MET, null, null);
    }
}
