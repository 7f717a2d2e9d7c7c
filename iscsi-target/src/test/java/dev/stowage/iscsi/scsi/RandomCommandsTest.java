package dev.stowage.iscsi.scsi;

import dev.stowage.iscsi.scsi.sbc.DiskCommandSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random CDBs (mostly for known opcodes, with random fields) and random data-out against a small
 * disk: every command must come back with a valid status and well-formed sense, never an
 * exception and never the "internal target failure" that marks a handler bug. Fixed seeds.
 */
class RandomCommandsTest {
    private static final Set<Integer> STATUSES = Set.of(ScsiResponse.GOOD, ScsiResponse.CHECK_CONDITION,
            ScsiResponse.CONDITION_MET, ScsiResponse.RESERVATION_CONFLICT);

    @Test
    void randomCommandsNeverBreakTheTarget() {
        List<OpcodeEntry> table = DiskCommandSet.instance().entries();
        long[] luns = {0, 0, 0, 3, 0xc101_0000_0000_0000L};
        for (long seed = 1; seed <= 4; seed++) {
            ScsiHarness h = new ScsiHarness(1000);
            Random rnd = new Random(seed);
            for (int i = 0; i < 5000; i++) {
                byte[] cdb;
                if (rnd.nextInt(10) == 0) {
                    cdb = new byte[6 + 2 * rnd.nextInt(6)];
                    rnd.nextBytes(cdb);
                } else {
                    OpcodeEntry e = table.get(rnd.nextInt(table.size()));
                    cdb = new byte[e.cdbLength()];
                    rnd.nextBytes(cdb);
                    cdb[0] = (byte) e.opcode();
                    if (e.serviceAction() >= 0) {
                        cdb[1] = (byte) (cdb[1] & 0xe0 | e.serviceAction());
                    }
                    // Keep addresses mostly near the disk so handlers get past the range check.
                    if (rnd.nextBoolean() && cdb.length >= 10) {
                        for (int b = 2; b < Math.min(cdb.length, 9); b++) {
                            cdb[b] = 0;
                        }
                        cdb[cdb.length >= 16 ? 9 : 5] = (byte) rnd.nextInt(256);
                    }
                    cdb[cdb.length - 1] = 0;                     // control byte
                }
                byte[] data = rnd.nextInt(3) == 0 ? null : new byte[rnd.nextInt(4) * 256 + rnd.nextInt(40)];
                if (data != null) {
                    rnd.nextBytes(data);
                }
                ItNexus n = rnd.nextBoolean() ? ScsiHarness.A : ScsiHarness.B;
                ScsiResponse r = h.run(n, luns[rnd.nextInt(luns.length)], cdb, data).response();
                assertThat(STATUSES).as("status of %s", hex(cdb)).contains(r.status());
                if (r.status() == ScsiResponse.CHECK_CONDITION) {
                    assertThat(r.sense()).hasSize(18);
                    assertThat(r.sense()[2] & 0x0f).as("sense key for %s", hex(cdb)).isNotEqualTo(4);
                } else {
                    assertThat(r.sense()).isNull();
                }
            }
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xff));
        }
        return s.toString();
    }
}
