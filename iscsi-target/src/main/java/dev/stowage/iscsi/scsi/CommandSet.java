package dev.stowage.iscsi.scsi;

import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;

import java.util.ArrayList;
import java.util.List;

/**
 * The opcode table of one device type: 256 slots, each empty (INVALID COMMAND OPERATION CODE), a
 * single command, or a command family keyed by service action. Built once, then read-only and
 * shared by every logical unit of that type (thread-safe after construction).
 */
public final class CommandSet {
    private final String deviceTypeName;
    private final int peripheralDeviceType;
    private final Object[] slots = new Object[256];

    public CommandSet(String deviceTypeName, int peripheralDeviceType) {
        this.deviceTypeName = deviceTypeName;
        this.peripheralDeviceType = peripheralDeviceType;
    }

    /** SPC peripheral device type (0 = direct access block device). */
    public int peripheralDeviceType() {
        return peripheralDeviceType;
    }

    public String deviceTypeName() {
        return deviceTypeName;
    }

    /** Adds one line. Opcodes with service actions take one line per service action. */
    public CommandSet add(OpcodeEntry entry) {
        int op = entry.opcode();
        if (entry.cdbUsage()[0] != (byte) op) {
            throw new IllegalArgumentException("usage data of " + entry.name() + " must start with its opcode");
        }
        if (entry.serviceAction() < 0) {
            if (slots[op] != null) {
                throw new IllegalArgumentException("opcode " + Integer.toHexString(op) + " defined twice");
            }
            slots[op] = entry;
        } else {
            OpcodeEntry[] actions = switch (slots[op]) {
                case null -> new OpcodeEntry[32];
                case OpcodeEntry[] a -> a;
                default -> throw new IllegalArgumentException("opcode " + Integer.toHexString(op) + " has no service actions");
            };
            if (actions[entry.serviceAction()] != null) {
                throw new IllegalArgumentException(entry.name() + " defined twice");
            }
            actions[entry.serviceAction()] = entry;
            slots[op] = actions;
        }
        return this;
    }

    /** True when the opcode uses a service action field (CDB byte 1, bits 0-4). */
    public boolean hasServiceActions(int opcode) {
        return slots[opcode] instanceof OpcodeEntry[];
    }

    /** The entry for {@code opcode}/{@code serviceAction} (ignored for opcodes without), or null. */
    public OpcodeEntry find(int opcode, int serviceAction) {
        return switch (slots[opcode & 0xff]) {
            case OpcodeEntry e -> e;
            case OpcodeEntry[] a -> serviceAction >= 0 && serviceAction < a.length ? a[serviceAction] : null;
            case null, default -> null;
        };
    }

    /** The entry that serves {@code cdb}: INVALID COMMAND OPERATION CODE, or INVALID FIELD IN CDB for an unknown service action. */
    public OpcodeEntry lookup(byte[] cdb) throws SenseException {
        int op = cdb[0] & 0xff;
        Object slot = slots[op];
        if (slot == null) {
            throw SenseException.of(SenseReason.INVALID_COMMAND_OPERATION_CODE);
        }
        if (slot instanceof OpcodeEntry e) {
            return e;
        }
        if (cdb.length < 2) {
            throw SenseException.of(SenseReason.INVALID_COMMAND_OPERATION_CODE);
        }
        OpcodeEntry e = ((OpcodeEntry[]) slot)[cdb[1] & 0x1f];
        if (e == null) {
            throw SenseException.invalidCdbField(1, 4);
        }
        return e;
    }

    /** Every command, by opcode then service action (REPORT SUPPORTED OPERATION CODES). */
    public List<OpcodeEntry> entries() {
        List<OpcodeEntry> all = new ArrayList<>();
        for (Object slot : slots) {
            switch (slot) {
                case OpcodeEntry e -> all.add(e);
                case OpcodeEntry[] a -> {
                    for (OpcodeEntry e : a) {
                        if (e != null) {
                            all.add(e);
                        }
                    }
                }
                case null, default -> { }
            }
        }
        return all;
    }

    /** CDB usage data: {@code bytes[0]} is the opcode; pass the mask of each following byte. */
    public static byte[] usage(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }
}
