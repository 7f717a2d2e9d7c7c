package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.Bytes;
import dev.stowage.iscsi.scsi.CommandSet;
import dev.stowage.iscsi.scsi.OpcodeEntry;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), derived from the logical unit's opcode table:
 * reporting options 0 (all commands), 1 (one opcode), 2 (opcode + service action) and 3 (opcode,
 * with service action when it has them); RCTD adds command timeouts descriptors. Stateless.
 */
public final class ReportSupportedOpcodes {
    /** Nominal and recommended command timeouts reported with RCTD, in seconds. */
    private static final int NOMINAL_TIMEOUT = 30;
    private static final int RECOMMENDED_TIMEOUT = 60;

    private ReportSupportedOpcodes() {
    }

    public static ScsiResponse execute(Task t) throws SenseException {
        t.requireZero(2, 0x78);
        boolean rctd = t.bit(2, 7);
        int options = t.u8(2) & 0x07;
        int opcode = t.u8(3);
        int sa = t.u16(4);
        int alloc = (int) Math.min(t.u32(6), Integer.MAX_VALUE);
        CommandSet set = t.lu().commandSet();
        byte[] d = switch (options) {
            case 0 -> all(set.entries(), rctd);
            case 1 -> {
                if (set.hasServiceActions(opcode)) {
                    throw SenseException.invalidCdbField(3, -1);
                }
                yield one(set.find(opcode, -1), rctd);
            }
            case 2 -> {
                if (!set.hasServiceActions(opcode)) {
                    throw SenseException.invalidCdbField(3, -1);
                }
                yield one(sa > 0x1f ? null : set.find(opcode, sa), rctd);
            }
            case 3 -> one(set.hasServiceActions(opcode) ? (sa > 0x1f ? null : set.find(opcode, sa))
                    : set.find(opcode, -1), rctd);
            default -> throw SenseException.invalidCdbField(2, 2);
        };
        return Task.dataIn(d, alloc);
    }

    private static byte[] all(List<OpcodeEntry> entries, boolean rctd) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (OpcodeEntry e : entries) {
            byte[] desc = new byte[8];
            desc[0] = (byte) e.opcode();
            if (e.serviceAction() >= 0) {
                Bytes.putU16(desc, 2, e.serviceAction());
                desc[5] |= 0x01;                     // SERVACTV
            }
            if (rctd) {
                desc[5] |= 0x02;                     // CTDP
            }
            Bytes.putU16(desc, 6, e.cdbLength());
            b.writeBytes(desc);
            if (rctd) {
                b.writeBytes(timeouts());
            }
        }
        byte[] body = b.toByteArray();
        byte[] d = new byte[4 + body.length];
        Bytes.putU32(d, 0, body.length);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }

    private static byte[] one(OpcodeEntry e, boolean rctd) {
        if (e == null) {
            byte[] d = new byte[4];
            d[1] = 0x01;                             // SUPPORT: not supported
            return d;
        }
        byte[] usage = e.cdbUsage();
        byte[] d = new byte[4 + usage.length + (rctd ? 12 : 0)];
        d[1] = (byte) ((rctd ? 0x80 : 0) | 0x03);   // CTDP, SUPPORT: supported as in the standard
        Bytes.putU16(d, 2, usage.length);
        System.arraycopy(usage, 0, d, 4, usage.length);
        if (rctd) {
            System.arraycopy(timeouts(), 0, d, 4 + usage.length, 12);
        }
        return d;
    }

    private static byte[] timeouts() {
        byte[] d = new byte[12];
        Bytes.putU16(d, 0, 10);
        Bytes.putU32(d, 4, NOMINAL_TIMEOUT);
        Bytes.putU32(d, 8, RECOMMENDED_TIMEOUT);
        return d;
    }
}
