package dev.stowage.iscsi.scsi;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.FaultInjectingBlockDevice;
import dev.stowage.core.device.MemoryBlockDevice;
import dev.stowage.iscsi.scsi.sense.SenseData;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** A target with one disk LUN 0 over a memory device, two logged-in nexuses, unit attentions cleared. */
final class ScsiHarness {
    static final ItNexus A = new ItNexus("iqn.2026-01.test:a,i,0x000000000001", "iqn.2026-11.dev.stowage:vol1,t,0x0001", 1);
    static final ItNexus B = new ItNexus("iqn.2026-01.test:b,i,0x000000000002", "iqn.2026-11.dev.stowage:vol1,t,0x0001", 1);
    static final int BS = 512;

    final MemoryBlockDevice memory;
    final FaultInjectingBlockDevice device;
    final ScsiTargetImpl target;
    private long tag;

    ScsiHarness(long blocks) {
        this(new MemoryBlockDevice(BS, blocks));
    }

    ScsiHarness(MemoryBlockDevice memory) {
        this.memory = memory;
        this.device = new FaultInjectingBlockDevice(memory);
        this.target = ScsiTargetImpl.builder().disk(0, device, DiskIdentity.of("SN0001")).build();
        target.nexusAdded(A);
        target.nexusAdded(B);
        clearUnitAttentions(A);
        clearUnitAttentions(B);
    }

    static ScsiTargetImpl targetOf(BlockDevice dev) {
        return ScsiTargetImpl.builder().disk(0, dev, DiskIdentity.of("SN0002")).build();
    }

    void clearUnitAttentions(ItNexus n) {
        for (int i = 0; i < 20 && run(n, Cdb.tur()).status() != ScsiResponse.GOOD; i++) {
            // each TUR reports and clears one condition
        }
    }

    Result run(byte[] cdb) {
        return run(A, 0, cdb, null);
    }

    Result run(byte[] cdb, byte[] dataOut) {
        return run(A, 0, cdb, dataOut);
    }

    Result run(ItNexus n, byte[] cdb) {
        return run(n, 0, cdb, null);
    }

    Result run(ItNexus n, byte[] cdb, byte[] dataOut) {
        return run(n, 0, cdb, dataOut);
    }

    Result run(ItNexus n, long lun, byte[] cdb, byte[] dataOut) {
        ScsiCommand cmd = new ScsiCommand(lun, ++tag, cdb, ScsiCommand.TaskAttribute.SIMPLE, Cdb.wrap(dataOut), 65536);
        return new Result(target.execute(n, cmd));
    }

    /** The outcome of one command with assertion helpers. */
    record Result(ScsiResponse response) {
        int status() {
            return response.status();
        }

        byte[] data() {
            ByteBuffer b = response.dataIn();
            if (b == null) {
                return new byte[0];
            }
            byte[] d = new byte[b.remaining()];
            b.duplicate().get(d);
            return d;
        }

        Result good() {
            assertThat(response.status()).as("status (sense %s)", senseString()).isEqualTo(ScsiResponse.GOOD);
            return this;
        }

        Result check(int key, int asc, int ascq) {
            assertThat(response.status()).as("status").isEqualTo(ScsiResponse.CHECK_CONDITION);
            assertThat(senseString()).isEqualTo(String.format("%x/%02x/%02x", key, asc, ascq));
            return this;
        }

        Result conflict() {
            assertThat(response.status()).as("status").isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
            return this;
        }

        /** Sense-key-specific field pointer (CDB or parameter list), or -1 when not valid. */
        int fieldPointer() {
            byte[] s = response.sense();
            return (s[15] & 0x80) == 0 ? -1 : Bytes.u16(s, 16);
        }

        long information() {
            byte[] s = response.sense();
            assertThat(s[0] & 0x80).as("VALID").isNotZero();
            return Bytes.u32(s, 3);
        }

        String senseString() {
            byte[] s = response.sense();
            if (s == null) {
                return "none";
            }
            return String.format("%x/%02x/%02x", SenseData.key(s), SenseData.asc(s), SenseData.ascq(s));
        }
    }
}
