package dev.stowage.iscsi.scsi.spc;

import dev.stowage.iscsi.scsi.Access;
import dev.stowage.iscsi.scsi.CommandHandler;
import dev.stowage.iscsi.scsi.CommandSet;
import dev.stowage.iscsi.scsi.OpcodeEntry;

import static dev.stowage.iscsi.scsi.CommandSet.usage;

/**
 * The SPC-4 commands every device type shares, as opcode-table lines. Device command sets add
 * these first and then their own. Each line: opcode, service action, name, CDB usage data,
 * reservation access class, handler.
 */
public final class SpcCommands {
    private SpcCommands() {
    }

    public static void addTo(CommandSet set) {
        set.add(new OpcodeEntry(0x00, -1, "TEST UNIT READY", usage(0x00, 0, 0, 0, 0, 0),
                Access.STATUS, TestUnitReady::execute));
        set.add(new OpcodeEntry(0x03, -1, "REQUEST SENSE", usage(0x03, 0x01, 0, 0, 0xff, 0),
                Access.ALLOWED, RequestSense::execute));
        set.add(new OpcodeEntry(0x12, -1, "INQUIRY", usage(0x12, 0x01, 0xff, 0xff, 0xff, 0),
                Access.ALLOWED, Inquiry::execute));
        set.add(new OpcodeEntry(0x15, -1, "MODE SELECT(6)", usage(0x15, 0x11, 0, 0, 0xff, 0),
                Access.WRITE, ModePages::select6));
        set.add(new OpcodeEntry(0x1a, -1, "MODE SENSE(6)", usage(0x1a, 0x08, 0xff, 0xff, 0xff, 0),
                Access.STATUS, ModePages::sense6));
        set.add(new OpcodeEntry(0x55, -1, "MODE SELECT(10)", usage(0x55, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, 0),
                Access.WRITE, ModePages::select10));
        set.add(new OpcodeEntry(0x5a, -1, "MODE SENSE(10)", usage(0x5a, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0),
                Access.STATUS, ModePages::sense10));
        set.add(new OpcodeEntry(0xa0, -1, "REPORT LUNS", usage(0xa0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0),
                Access.ALLOWED, ReportLuns::execute));
        set.add(new OpcodeEntry(0xa3, 0x0c, "REPORT SUPPORTED OPERATION CODES",
                usage(0xa3, 0x0c, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0),
                Access.ALLOWED, ReportSupportedOpcodes::execute));
        set.add(new OpcodeEntry(0x16, -1, "RESERVE(6)", usage(0x16, 0, 0, 0, 0, 0),
                Access.ALLOWED, LegacyReservations::reserve6));
        set.add(new OpcodeEntry(0x17, -1, "RELEASE(6)", usage(0x17, 0, 0, 0, 0, 0),
                Access.ALLOWED, LegacyReservations::release6));
        set.add(new OpcodeEntry(0x56, -1, "RESERVE(10)", usage(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                Access.ALLOWED, LegacyReservations::reserve10));
        set.add(new OpcodeEntry(0x57, -1, "RELEASE(10)", usage(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                Access.ALLOWED, LegacyReservations::release10));
        prIn(set, 0x00, "PERSISTENT RESERVE IN / READ KEYS", PersistentReserveIn::readKeys);
        prIn(set, 0x01, "PERSISTENT RESERVE IN / READ RESERVATION", PersistentReserveIn::readReservation);
        prIn(set, 0x02, "PERSISTENT RESERVE IN / REPORT CAPABILITIES", PersistentReserveIn::reportCapabilities);
        prIn(set, 0x03, "PERSISTENT RESERVE IN / READ FULL STATUS", PersistentReserveIn::readFullStatus);
        prOut(set, 0x00, "PERSISTENT RESERVE OUT / REGISTER", PersistentReserveOut::register);
        prOut(set, 0x01, "PERSISTENT RESERVE OUT / RESERVE", PersistentReserveOut::reserve);
        prOut(set, 0x02, "PERSISTENT RESERVE OUT / RELEASE", PersistentReserveOut::release);
        prOut(set, 0x03, "PERSISTENT RESERVE OUT / CLEAR", PersistentReserveOut::clear);
        prOut(set, 0x04, "PERSISTENT RESERVE OUT / PREEMPT", PersistentReserveOut::preempt);
        prOut(set, 0x05, "PERSISTENT RESERVE OUT / PREEMPT AND ABORT", PersistentReserveOut::preempt);
        prOut(set, 0x06, "PERSISTENT RESERVE OUT / REGISTER AND IGNORE EXISTING KEY", PersistentReserveOut::registerAndIgnore);
    }

    private static void prIn(CommandSet set, int sa, String name, CommandHandler h) {
        set.add(new OpcodeEntry(0x5e, sa, name, usage(0x5e, sa, 0, 0, 0, 0, 0, 0xff, 0xff, 0), Access.ALLOWED, h));
    }

    private static void prOut(CommandSet set, int sa, String name, CommandHandler h) {
        set.add(new OpcodeEntry(0x5f, sa, name, usage(0x5f, sa, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0), Access.STATUS, h));
    }
}
