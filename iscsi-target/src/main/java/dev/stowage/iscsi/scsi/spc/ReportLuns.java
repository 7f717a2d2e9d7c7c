package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.Bytes;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

import java.util.List;

/**
 * REPORT LUNS (SPC-4 6.33). Served whatever LUN it is addressed to, including the REPORT LUNS
 * well-known logical unit. SELECT REPORT 0 lists the logical units (peripheral addressing below
 * 256, flat space above), 1 the well-known logical units (REPORT LUNS), 2 both. Stateless.
 */
public final class ReportLuns {
    /** The REPORT LUNS well-known logical unit (W-LUN 0x01, extended addressing), as the transport decodes it. */
    public static final long WELL_KNOWN_LUN = 0xc101_0000_0000_0000L;

    private ReportLuns() {
    }

    public static ScsiResponse execute(Task t) throws SenseException {
        int select = t.u8(2);
        long alloc = t.u32(6);
        if (alloc < 16) {
            throw SenseException.invalidCdbField(6, -1);
        }
        List<Long> luns = switch (select) {
            case 0x00 -> t.target().luns();
            case 0x01 -> List.of(WELL_KNOWN_LUN);
            case 0x02 -> {
                List<Long> all = new java.util.ArrayList<>(t.target().luns());
                all.add(WELL_KNOWN_LUN);
                yield all;
            }
            default -> throw SenseException.invalidCdbField(2, -1);
        };
        byte[] d = new byte[8 + 8 * luns.size()];
        Bytes.putU32(d, 0, 8L * luns.size());
        int off = 8;
        for (long lun : luns) {
            encode(lun, d, off);
            off += 8;
        }
        return Task.dataIn(d, (int) Math.min(alloc, Integer.MAX_VALUE));
    }

    /** SAM-5 single-level LUN: peripheral device addressing below 256, flat space addressing up to 16383. */
    public static void encode(long lun, byte[] d, int off) {
        if (lun == WELL_KNOWN_LUN) {
            Bytes.putU64(d, off, lun);
        } else if (lun < 256) {
            d[off + 1] = (byte) lun;
        } else {
            d[off] = (byte) (0x40 | (lun >>> 8 & 0x3f));
            d[off + 1] = (byte) lun;
        }
    }
}
