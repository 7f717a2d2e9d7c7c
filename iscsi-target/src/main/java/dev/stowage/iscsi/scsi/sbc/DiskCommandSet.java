package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.iscsi.scsi.Access;
import dev.stowage.iscsi.scsi.CommandSet;
import dev.stowage.iscsi.scsi.OpcodeEntry;
import dev.stowage.iscsi.scsi.spc.PreventAllow;
import dev.stowage.iscsi.scsi.spc.ReadDefectData;
import dev.stowage.iscsi.scsi.spc.SpcCommands;

import static dev.stowage.iscsi.scsi.CommandSet.usage;

/**
 * The opcode table of a direct-access block device (peripheral device type 0): the shared SPC-4
 * commands plus SBC-3. One line per command; REPORT SUPPORTED OPERATION CODES walks this table.
 */
public final class DiskCommandSet {
    private static final CommandSet INSTANCE = build();

    private DiskCommandSet() {
    }

    /** The shared, immutable disk table. */
    public static CommandSet instance() {
        return INSTANCE;
    }

    private static CommandSet build() {
        CommandSet s = new CommandSet("disk", 0x00);
        SpcCommands.addTo(s);
        s.add(new OpcodeEntry(0x08, -1, "READ(6)", usage(0x08, 0x1f, 0xff, 0xff, 0xff, 0),
                Access.READ, ReadWrite::read6));
        s.add(new OpcodeEntry(0x0a, -1, "WRITE(6)", usage(0x0a, 0x1f, 0xff, 0xff, 0xff, 0),
                Access.WRITE, ReadWrite::write6));
        s.add(new OpcodeEntry(0x25, -1, "READ CAPACITY(10)", usage(0x25, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x01, 0),
                Access.STATUS, Capacity::readCapacity10));
        s.add(new OpcodeEntry(0x28, -1, "READ(10)", usage(0x28, 0x18, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0),
                Access.READ, ReadWrite::read10));
        s.add(new OpcodeEntry(0x2a, -1, "WRITE(10)", usage(0x2a, 0x18, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0),
                Access.WRITE, ReadWrite::write10));
        s.add(new OpcodeEntry(0x2e, -1, "WRITE AND VERIFY(10)", usage(0x2e, 0x12, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0),
                Access.WRITE, ReadWrite::writeVerify10));
        s.add(new OpcodeEntry(0x34, -1, "PRE-FETCH(10)", usage(0x34, 0x02, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0),
                Access.READ, CacheControl::prefetch10));
        s.add(new OpcodeEntry(0x35, -1, "SYNCHRONIZE CACHE(10)", usage(0x35, 0x06, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0),
                Access.WRITE, CacheControl::synchronizeCache10));
        s.add(new OpcodeEntry(0x88, -1, "READ(16)", usage(0x88, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.READ, ReadWrite::read16));
        s.add(new OpcodeEntry(0x8a, -1, "WRITE(16)", usage(0x8a, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.WRITE, ReadWrite::write16));
        s.add(new OpcodeEntry(0x8e, -1, "WRITE AND VERIFY(16)", usage(0x8e, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0xff, 0, 0), Access.WRITE, ReadWrite::writeVerify16));
        s.add(new OpcodeEntry(0x90, -1, "PRE-FETCH(16)", usage(0x90, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.READ, CacheControl::prefetch16));
        s.add(new OpcodeEntry(0x91, -1, "SYNCHRONIZE CACHE(16)", usage(0x91, 0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0xff, 0, 0), Access.WRITE, CacheControl::synchronizeCache16));
        s.add(new OpcodeEntry(0x9e, 0x10, "READ CAPACITY(16)", usage(0x9e, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0), Access.STATUS, Capacity::readCapacity16));
        s.add(new OpcodeEntry(0xa8, -1, "READ(12)", usage(0xa8, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0),
                Access.READ, ReadWrite::read12));
        s.add(new OpcodeEntry(0xaa, -1, "WRITE(12)", usage(0xaa, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0),
                Access.WRITE, ReadWrite::write12));
        s.add(new OpcodeEntry(0xae, -1, "WRITE AND VERIFY(12)", usage(0xae, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0, 0), Access.WRITE, ReadWrite::writeVerify12));
        s.add(new OpcodeEntry(0x1b, -1, "START STOP UNIT", usage(0x1b, 0x01, 0, 0x0f, 0xf7, 0),
                Access.WRITE, StartStopUnit::execute));
        s.add(new OpcodeEntry(0x1e, -1, "PREVENT ALLOW MEDIUM REMOVAL", usage(0x1e, 0, 0, 0, 0x03, 0),
                Access.STATUS, PreventAllow::execute));
        s.add(new OpcodeEntry(0x2f, -1, "VERIFY(10)", usage(0x2f, 0x16, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0),
                Access.READ, Verify::verify10));
        s.add(new OpcodeEntry(0x41, -1, "WRITE SAME(10)", usage(0x41, 0x08, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0),
                Access.WRITE, Provisioning::writeSame10));
        s.add(new OpcodeEntry(0x42, -1, "UNMAP", usage(0x42, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0),
                Access.WRITE, Provisioning::unmap));
        s.add(new OpcodeEntry(0x89, -1, "COMPARE AND WRITE", usage(0x89, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0, 0, 0, 0xff, 0, 0), Access.WRITE, CompareAndWrite::execute));
        s.add(new OpcodeEntry(0x8f, -1, "VERIFY(16)", usage(0x8f, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.READ, Verify::verify16));
        s.add(new OpcodeEntry(0x93, -1, "WRITE SAME(16)", usage(0x93, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.WRITE, Provisioning::writeSame16));
        s.add(new OpcodeEntry(0x9e, 0x12, "GET LBA STATUS", usage(0x9e, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0xff, 0, 0), Access.READ, Provisioning::getLbaStatus));
        s.add(new OpcodeEntry(0xaf, -1, "VERIFY(12)", usage(0xaf, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0),
                Access.READ, Verify::verify12));
        s.add(new OpcodeEntry(0x37, -1, "READ DEFECT DATA(10)", usage(0x37, 0, 0x1f, 0, 0, 0, 0, 0xff, 0xff, 0),
                Access.READ, ReadDefectData::readDefectData10));
        s.add(new OpcodeEntry(0x8b, -1, "ORWRITE(16)", usage(0x8b, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.WRITE, OrWrite::orWrite16));
        s.add(new OpcodeEntry(0xb7, -1, "READ DEFECT DATA(12)", usage(0xb7, 0x1f, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0),
                Access.READ, ReadDefectData::readDefectData12));
        s.add(new OpcodeEntry(0x83, 0x00, "EXTENDED COPY(LID1)", usage(0x83, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.WRITE, ExtendedCopy::extendedCopy));
        s.add(new OpcodeEntry(0x84, 0x00, "RECEIVE COPY RESULTS / COPY STATUS", usage(0x84, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 0,
                0xff, 0xff, 0xff, 0xff, 0, 0), Access.STATUS, ExtendedCopy::copyStatus));
        s.add(new OpcodeEntry(0x84, 0x03, "RECEIVE COPY RESULTS / OPERATING PARAMETERS", usage(0x84, 0x03, 0, 0, 0, 0, 0, 0,
                0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0), Access.STATUS, ExtendedCopy::operatingParameters));
        return s;
    }
}
