package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

/**
 * READ DEFECT DATA (10) and (12) (SBC-3 5.17, 5.18): a virtual disk has no grown or primary
 * defects, so the answer is the requested lists, marked valid, and empty. Stateless.
 */
public final class ReadDefectData {
    private ReadDefectData() {
    }

    public static ScsiResponse readDefectData10(Task t) throws SenseException {
        t.requireZero(2, 0xe0);
        byte[] d = new byte[4];
        d[1] = (byte) (t.u8(2) & 0x1f);                 // PLISTV, GLISTV as requested, same format
        return Task.dataIn(d, t.u16(7));
    }

    public static ScsiResponse readDefectData12(Task t) throws SenseException {
        t.requireZero(1, 0xe0);
        byte[] d = new byte[8];
        d[1] = (byte) (t.u8(1) & 0x1f);
        return Task.dataIn(d, (int) Math.min(t.u32(6), Integer.MAX_VALUE));
    }
}
