package dev.stowage.iscsi.scsi.spc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.iscsi.scsi.DiskIdentity;
import static dev.stowage.iscsi.scsi.Bytes.ascii;
import static dev.stowage.iscsi.scsi.Bytes.putU16;
import static dev.stowage.iscsi.scsi.Bytes.putU32;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sbc.BlockLimits;
import dev.stowage.iscsi.scsi.sense.SenseException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * INQUIRY (SPC-4 6.6): standard data and the vital product data pages 0x00 (supported pages),
 * 0x80 (unit serial number), 0x83 (device identification), 0xB0 (block limits), 0xB1 (block
 * device characteristics) and 0xB2 (logical block provisioning). Stateless.
 */
public final class Inquiry {
    private static final int[] VPD_PAGES = {0x00, 0x80, 0x83, 0x8f, 0xb0, 0xb1, 0xb2};
    /** Version descriptors: SAM-5, iSCSI (no version claimed), SPC-4, SBC-3. */
    private static final int[] VERSION_DESCRIPTORS = {0x00a0, 0x0960, 0x0460, 0x04c0};

    private Inquiry() {
    }

    public static ScsiResponse execute(Task t) throws SenseException {
        t.requireZero(1, 0xfe);
        int alloc = t.u16(3);
        LogicalUnit lu = t.lu();
        if (!t.bit(1, 0)) {
            if (t.u8(2) != 0) {
                throw SenseException.invalidCdbField(2, -1);
            }
            return Task.dataIn(standard(lu), alloc);
        }
        byte[] page = switch (t.u8(2)) {
            case 0x00 -> supportedPages(lu);
            case 0x80 -> serialNumber(lu);
            case 0x83 -> deviceIdentification(t);
            case 0x8f -> thirdPartyCopy(lu);
            case 0xb0 -> blockLimits(lu);
            case 0xb1 -> blockDeviceCharacteristics(lu);
            case 0xb2 -> logicalBlockProvisioning(lu);
            default -> throw SenseException.invalidCdbField(2, -1);
        };
        return Task.dataIn(page, alloc);
    }

    /** INQUIRY to a LUN that does not exist: peripheral qualifier 3, device type 0x1f (SPC-4 6.6.2). */
    public static ScsiResponse absentLun(Task t) throws SenseException {
        t.requireZero(1, 0xfe);
        if (t.bit(1, 0) || t.u8(2) != 0) {
            // VPD pages of a LUN that is not there: report the qualifier in a supported-pages page.
            byte[] p = {(byte) 0x7f, (byte) t.u8(2), 0, 0};
            return Task.dataIn(p, t.u16(3));
        }
        byte[] d = new byte[36];
        d[0] = 0x7f;
        d[2] = 0x06;
        d[3] = 0x12;
        d[4] = 31;
        return Task.dataIn(d, t.u16(3));
    }

    /** INQUIRY to the REPORT LUNS well-known logical unit: device type 0x1E, supported pages page only. */
    public static ScsiResponse wellKnownLun(Task t) throws SenseException {
        t.requireZero(1, 0xfe);
        if (t.bit(1, 0)) {
            if (t.u8(2) != 0) {
                throw SenseException.invalidCdbField(2, -1);
            }
            return Task.dataIn(new byte[] {0x1e, 0, 0, 1, 0}, t.u16(3));
        }
        if (t.u8(2) != 0) {
            throw SenseException.invalidCdbField(2, -1);
        }
        byte[] d = new byte[36];
        d[0] = 0x1e;
        d[2] = 0x06;
        d[3] = 0x12;
        d[4] = 31;
        ascii(d, 8, "STOWAGE", 8);
        ascii(d, 16, "REPORT LUNS WLUN", 16);
        ascii(d, 32, "0001", 4);
        return Task.dataIn(d, t.u16(3));
    }

    static byte[] standard(LogicalUnit lu) {
        DiskIdentity id = lu.identity();
        byte[] d = new byte[58 + 2 * VERSION_DESCRIPTORS.length];
        d[0] = (byte) lu.commandSet().peripheralDeviceType();
        d[1] = 0;            // RMB = 0: not removable
        d[2] = 0x06;         // SPC-4
        d[3] = 0x12;         // HISUP, response data format 2
        d[4] = (byte) (d.length - 5);
        d[5] = 0x08;         // 3PC (EXTENDED COPY); no ALUA, no protection
        d[6] = 0;
        d[7] = 0x02;         // CMDQUE
        ascii(d, 8, id.vendor(), 8);
        ascii(d, 16, id.product(), 16);
        ascii(d, 32, id.revision(), 4);
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            d[58 + 2 * i] = (byte) (VERSION_DESCRIPTORS[i] >>> 8);
            d[59 + 2 * i] = (byte) VERSION_DESCRIPTORS[i];
        }
        return d;
    }

    private static byte[] header(LogicalUnit lu, int page, int length) {
        byte[] d = new byte[4 + length];
        d[0] = (byte) lu.commandSet().peripheralDeviceType();
        d[1] = (byte) page;
        d[2] = (byte) (length >>> 8);
        d[3] = (byte) length;
        return d;
    }

    private static byte[] supportedPages(LogicalUnit lu) {
        byte[] d = header(lu, 0x00, VPD_PAGES.length);
        for (int i = 0; i < VPD_PAGES.length; i++) {
            d[4 + i] = (byte) VPD_PAGES[i];
        }
        return d;
    }

    private static byte[] serialNumber(LogicalUnit lu) {
        byte[] s = lu.identity().serial().getBytes(StandardCharsets.US_ASCII);
        byte[] d = header(lu, 0x80, s.length);
        System.arraycopy(s, 0, d, 4, s.length);
        return d;
    }

    private static byte[] deviceIdentification(Task t) {
        LogicalUnit lu = t.lu();
        DiskIdentity id = lu.identity();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        // NAA IEEE Registered Extended, associated with the logical unit, binary.
        designator(b, 0x01, 0x03, id.naa());
        // T10 vendor identification: vendor (8, space padded) + serial, ASCII.
        designator(b, 0x02, 0x01, t10Designator(id));
        // Relative target port identifier (association: target port, iSCSI, PIV).
        int rel = t.nexus().relativeTargetPortId();
        designator(b, 0x51, 0x94, new byte[] {0, 0, (byte) (rel >>> 8), (byte) rel});
        // SCSI name string of the target port (UTF-8, null terminated, padded to 4).
        designator(b, 0x53, 0x98, nameString(t.nexus().targetPort()));
        String targetName = t.nexus().targetPort();
        int comma = targetName.indexOf(",t,");
        if (comma > 0) {
            // SCSI name string of the target device.
            designator(b, 0x53, 0xa8, nameString(targetName.substring(0, comma)));
        }
        byte[] body = b.toByteArray();
        byte[] d = header(lu, 0x83, body.length);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }

    /** The T10 vendor identification designator: vendor (8 bytes, space padded) then the serial. */
    public static byte[] t10Designator(DiskIdentity id) {
        byte[] t10 = new byte[8 + id.serial().length()];
        ascii(t10, 0, id.vendor(), 8);
        ascii(t10, 8, id.serial(), id.serial().length());
        return t10;
    }

    /** Third-party copy page: one Supported Commands descriptor (EXTENDED COPY LID1, RECEIVE COPY RESULTS). */
    private static byte[] thirdPartyCopy(LogicalUnit lu) {
        byte[] commands = {(byte) 0x83, 1, 0x00, (byte) 0x84, 2, 0x00, 0x03};
        int descLength = (4 + 1 + commands.length + 3) & ~3;
        byte[] d = header(lu, 0x8f, descLength);
        putU16(d, 4, 0x0001);
        putU16(d, 6, descLength - 4);
        d[8] = (byte) commands.length;
        System.arraycopy(commands, 0, d, 9, commands.length);
        return d;
    }

    private static byte[] nameString(String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        int len = (raw.length + 1 + 3) & ~3;
        byte[] p = new byte[len];
        System.arraycopy(raw, 0, p, 0, raw.length);
        return p;
    }

    private static void designator(ByteArrayOutputStream b, int protocolAndCodeSet, int pivAssocType, byte[] value) {
        b.write(protocolAndCodeSet);
        b.write(pivAssocType);
        b.write(0);
        b.write(value.length);
        b.writeBytes(value);
    }

    private static byte[] blockLimits(LogicalUnit lu) {
        BlockDevice dev = lu.device();
        BlockLimits lim = BlockLimits.of(dev);
        byte[] d = header(lu, 0xb0, 0x3c);
        d[4] = 0;                                   // WSNZ = 0: WRITE SAME with 0 blocks means "to the end"
        d[5] = (byte) lim.maxCompareAndWriteBlocks();
        putU16(d, 6, lim.optimalGranularity());
        putU32(d, 8, lim.maxTransferBlocks());
        putU32(d, 12, lim.optimalTransferBlocks());
        if (lim.unmapSupported()) {
            putU32(d, 20, lim.maxUnmapBlocks());
            putU32(d, 24, lim.maxUnmapDescriptors());
            putU32(d, 28, lim.optimalGranularity());
        }
        long ws = lim.maxWriteSameBlocks();
        putU32(d, 36, ws >>> 32);
        putU32(d, 40, ws);
        return d;
    }

    private static byte[] blockDeviceCharacteristics(LogicalUnit lu) {
        byte[] d = header(lu, 0xb1, 0x3c);
        d[5] = 1;                                   // medium rotation rate 1: non-rotating (solid state)
        return d;
    }

    private static byte[] logicalBlockProvisioning(LogicalUnit lu) {
        byte[] d = header(lu, 0xb2, 4);
        if (lu.device().thinProvisioned()) {
            d[5] = (byte) (0x80 | 0x40 | 0x20 | 0x04);  // LBPU, LBPWS, LBPWS10, LBPRZ
            d[6] = 0x02;                                 // provisioning type: thin
        }
        return d;
    }
}
