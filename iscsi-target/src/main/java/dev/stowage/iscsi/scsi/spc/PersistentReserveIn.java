package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.Bytes;
import dev.stowage.iscsi.scsi.ItNexus;
import dev.stowage.iscsi.scsi.Reservations;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS, READ RESERVATION, REPORT CAPABILITIES and READ
 * FULL STATUS. Reads a consistent snapshot of the unit's {@link Reservations}. Stateless.
 */
public final class PersistentReserveIn {
    private PersistentReserveIn() {
    }

    public static ScsiResponse readKeys(Task t) throws SenseException {
        Reservations r = t.lu().reservations();
        synchronized (r) {
            Map<ItNexus, Long> regs = r.registrations();
            byte[] d = new byte[8 + 8 * regs.size()];
            Bytes.putU32(d, 0, r.generation());
            Bytes.putU32(d, 4, 8L * regs.size());
            int off = 8;
            for (long key : regs.values()) {
                Bytes.putU64(d, off, key);
                off += 8;
            }
            return Task.dataIn(d, t.u16(7));
        }
    }

    public static ScsiResponse readReservation(Task t) throws SenseException {
        Reservations r = t.lu().reservations();
        synchronized (r) {
            int type = r.type();
            byte[] d = new byte[type == 0 ? 8 : 24];
            Bytes.putU32(d, 0, r.generation());
            if (type != 0) {
                Bytes.putU32(d, 4, 16);
                Bytes.putU64(d, 8, r.reservationKey());
                d[21] = (byte) type;           // scope 0 (logical unit), type
            }
            return Task.dataIn(d, t.u16(7));
        }
    }

    public static ScsiResponse reportCapabilities(Task t) throws SenseException {
        byte[] d = new byte[8];
        Bytes.putU16(d, 0, 8);
        d[2] = 0x10;                           // CRH: RESERVE(6)/RELEASE(6) follow SPC-4 5.13.3; no SIP_C, ATP_C, PTPL_C
        d[3] = (byte) 0x80;                    // TMV: the type mask is valid; ALLOW COMMANDS 0
        d[4] = (byte) (0x80 | 0x40 | 0x20 | 0x08 | 0x02); // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        d[5] = 0x01;                           // EX_AC_AR
        return Task.dataIn(d, t.u16(7));
    }

    public static ScsiResponse readFullStatus(Task t) throws SenseException {
        Reservations r = t.lu().reservations();
        synchronized (r) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (Map.Entry<ItNexus, Long> e : r.registrations().entrySet()) {
                byte[] transportId = transportId(e.getKey().initiatorPort());
                byte[] desc = new byte[24];
                Bytes.putU64(desc, 0, e.getValue());
                boolean holder = r.isHolder(e.getKey());
                desc[12] = (byte) (holder ? 0x01 : 0);
                desc[13] = (byte) (holder ? r.type() : 0);
                Bytes.putU16(desc, 18, e.getKey().relativeTargetPortId());
                Bytes.putU32(desc, 20, transportId.length);
                b.writeBytes(desc);
                b.writeBytes(transportId);
            }
            byte[] body = b.toByteArray();
            byte[] d = new byte[8 + body.length];
            Bytes.putU32(d, 0, r.generation());
            Bytes.putU32(d, 4, body.length);
            System.arraycopy(body, 0, d, 8, body.length);
            return Task.dataIn(d, t.u16(7));
        }
    }

    /** iSCSI initiator port TransportID (SPC-4 7.6.4.6, format 01b): name,i,0xISID, null terminated, padded to 4. */
    static byte[] transportId(String initiatorPort) {
        byte[] name = initiatorPort.getBytes(StandardCharsets.UTF_8);
        int len = (name.length + 1 + 3) & ~3;
        byte[] d = new byte[4 + len];
        d[0] = (byte) 0x45;                    // format 01b, protocol identifier 5 (iSCSI)
        Bytes.putU16(d, 2, len);
        System.arraycopy(name, 0, d, 4, name.length);
        return d;
    }
}
