package dev.stowage.iscsi.scsi;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.stowage.iscsi.scsi.ScsiHarness.A;
import static dev.stowage.iscsi.scsi.ScsiHarness.B;
import static org.assertj.core.api.Assertions.assertThat;

class PersistentReservationsTest {
    private static final int REGISTER = 0;
    private static final int RESERVE = 1;
    private static final int RELEASE = 2;
    private static final int CLEAR = 3;
    private static final int PREEMPT = 4;
    private static final int REGISTER_AND_IGNORE = 6;
    private static final long KA = 0x1111;
    private static final long KB = 0x2222;

    private final ScsiHarness h = new ScsiHarness(100);

    private ScsiHarness.Result out(ItNexus n, int sa, int type, long key, long sak) {
        return h.run(n, Cdb.prOut(sa, type), Cdb.prOutParams(key, sak));
    }

    private void registerBoth() {
        out(A, REGISTER, 0, 0, KA).good();
        out(B, REGISTER_AND_IGNORE, 0, 0, KB).good();
    }

    private boolean canRead(ItNexus n) {
        return h.run(n, Cdb.read10(0, 1)).status() == ScsiResponse.GOOD;
    }

    private boolean canWrite(ItNexus n) {
        return h.run(n, Cdb.write10(0, 1), new byte[512]).status() == ScsiResponse.GOOD;
    }

    @Test
    void readKeysListsRegistrationsAndGenerationCounts() {
        registerBoth();
        byte[] d = h.run(Cdb.prIn(0, 256)).good().data();
        assertThat(Bytes.u32(d, 0)).as("generation").isEqualTo(2);
        assertThat(Bytes.u32(d, 4)).isEqualTo(16);
        assertThat(Bytes.u64(d, 8)).isEqualTo(KA);
        assertThat(Bytes.u64(d, 16)).isEqualTo(KB);
        assertThat(h.run(Cdb.prIn(0, 12)).good().data()).hasSize(12);
    }

    @Test
    void registerWithTheWrongKeyConflicts() {
        out(A, REGISTER, 0, 5, KA).conflict();                    // not registered, key must be 0
        out(A, REGISTER, 0, 0, KA).good();
        out(A, REGISTER, 0, 0, 0x9999).conflict();                // registered, key must match
        out(A, REGISTER, 0, KA, 0x9999).good();                   // re-key
        out(A, REGISTER_AND_IGNORE, 0, 0, 0).good();              // unregister
        assertThat(Bytes.u32(h.run(Cdb.prIn(0, 256)).good().data(), 4)).isZero();
    }

    @Test
    void reservationTypesGrantTheAccessSpcSays() {
        // type, registered B can read, can write, unregistered B can read, can write
        int[][] table = {
                {1, 1, 0, 1, 0},
                {3, 0, 0, 0, 0},
                {5, 1, 1, 1, 0},
                {6, 1, 1, 0, 0},
                {7, 1, 1, 1, 0},
                {8, 1, 1, 0, 0},
        };
        for (int[] row : table) {
            int type = row[0];
            registerBoth();
            out(A, RESERVE, type, KA, 0).good();
            assertThat(canRead(A) && canWrite(A)).as("holder, type %d", type).isTrue();
            assertThat(canRead(B)).as("registered read, type %d", type).isEqualTo(row[1] == 1);
            assertThat(canWrite(B)).as("registered write, type %d", type).isEqualTo(row[2] == 1);
            out(B, REGISTER, 0, KB, 0).good();
            assertThat(canRead(B)).as("unregistered read, type %d", type).isEqualTo(row[3] == 1);
            assertThat(canWrite(B)).as("unregistered write, type %d", type).isEqualTo(row[4] == 1);
            h.run(B, Cdb.inquiry(false, 0, 36)).good();
            h.run(B, Cdb.tur()).good();
            out(A, RELEASE, type, KA, 0).good();
            out(A, REGISTER, 0, KA, 0).good();
            h.clearUnitAttentions(A);
            h.clearUnitAttentions(B);
        }
    }

    @Test
    void readReservationShowsHolderKeyAndType() {
        registerBoth();
        assertThat(h.run(Cdb.prIn(1, 256)).good().data()).hasSize(8);
        out(A, RESERVE, 3, KA, 0).good();
        byte[] d = h.run(B, Cdb.prIn(1, 256)).good().data();
        assertThat(Bytes.u32(d, 4)).isEqualTo(16);
        assertThat(Bytes.u64(d, 8)).isEqualTo(KA);
        assertThat(d[21]).isEqualTo((byte) 3);
        out(B, RESERVE, 3, KB, 0).conflict();
        out(A, RESERVE, 3, KA, 0).good();                           // same holder, same type
        out(A, RESERVE, 1, KA, 0).conflict();                       // cannot change type by RESERVE
        out(A, RESERVE, 2, KA, 0).check(5, 0x24, 0);                // invalid type
        out(A, RELEASE, 1, KA, 0).check(5, 0x26, 4);                // wrong type
        out(B, RELEASE, 3, KB, 0).good();                           // not the holder: no effect
        assertThat(h.run(Cdb.prIn(1, 256)).good().data()).hasSize(24);
    }

    @Test
    void allRegistrantsReservationReportsKeyZero() {
        registerBoth();
        out(A, RESERVE, 8, KA, 0).good();
        byte[] d = h.run(Cdb.prIn(1, 256)).good().data();
        assertThat(Bytes.u64(d, 8)).isZero();
        assertThat(canWrite(B)).isTrue();
    }

    @Test
    void releaseOfRegistrantsOnlyReservationTellsTheOthers() {
        registerBoth();
        out(A, RESERVE, 5, KA, 0).good();
        out(A, RELEASE, 5, KA, 0).good();
        h.run(B, Cdb.tur()).check(6, 0x2a, 4);
    }

    @Test
    void clearRemovesEverything() {
        registerBoth();
        out(A, RESERVE, 3, KA, 0).good();
        out(B, CLEAR, 0, KB, 0).good();
        h.run(A, Cdb.tur()).check(6, 0x2a, 3);
        assertThat(Bytes.u32(h.run(Cdb.prIn(0, 256)).good().data(), 4)).isZero();
        assertThat(canWrite(A)).isTrue();
        assertThat(canWrite(B)).isTrue();
    }

    @Test
    void preemptTakesTheReservationAndRemovesTheRegistration() {
        registerBoth();
        out(A, RESERVE, 1, KA, 0).good();
        out(B, PREEMPT, 3, KB, KA).good();
        h.run(A, Cdb.tur()).check(6, 0x2a, 5);
        byte[] keys = h.run(Cdb.prIn(0, 256)).good().data();
        assertThat(Bytes.u32(keys, 4)).isEqualTo(8);
        assertThat(Bytes.u64(keys, 8)).isEqualTo(KB);
        byte[] res = h.run(Cdb.prIn(1, 256)).good().data();
        assertThat(Bytes.u64(res, 8)).isEqualTo(KB);
        assertThat(res[21]).isEqualTo((byte) 3);
        assertThat(canRead(A)).isFalse();
        out(B, PREEMPT, 3, KB, 0x7777).conflict();                  // no such key
    }

    @Test
    void preemptWithoutReservationRemovesRegistrations() {
        registerBoth();
        out(A, PREEMPT, 1, KA, KB).good();
        assertThat(Bytes.u32(h.run(Cdb.prIn(0, 256)).good().data(), 4)).isEqualTo(8);
        out(A, PREEMPT, 1, KA, 0).check(5, 0x26, 0);
    }

    @Test
    void unsupportedParameterFlagsAndLengthsAreRefused() {
        byte[] p = Cdb.prOutParams(0, KA);
        p[20] = 0x01;                                               // APTPL
        h.run(Cdb.prOut(REGISTER, 0), p).check(5, 0x26, 0);
        byte[] cdb = Cdb.prOut(REGISTER, 0);
        cdb[8] = 23;
        h.run(cdb, Cdb.prOutParams(0, KA)).check(5, 0x1a, 0);
        h.run(Cdb.prOut(REGISTER, 0), new byte[10]).check(5, 0x1a, 0);
        h.run(Cdb.prOut(7, 0), Cdb.prOutParams(0, KA)).check(5, 0x24, 0);   // REGISTER AND MOVE
        h.run(Cdb.prIn(4, 256)).check(5, 0x24, 0);
    }

    @Test
    void reportCapabilitiesListsTheTypes() {
        byte[] d = h.run(Cdb.prIn(2, 256)).good().data();
        assertThat(Bytes.u16(d, 0)).isEqualTo(8);
        assertThat(d[3] & 0x80).as("TMV").isNotZero();
        assertThat(Bytes.u16(d, 4)).isEqualTo(0xea01);
    }

    @Test
    void readFullStatusCarriesTransportIds() {
        registerBoth();
        out(A, RESERVE, 1, KA, 0).good();
        byte[] d = h.run(Cdb.prIn(3, 4096)).good().data();
        int off = 8;
        assertThat(Bytes.u64(d, off)).isEqualTo(KA);
        assertThat(d[off + 12] & 1).as("R_HOLDER").isEqualTo(1);
        assertThat(d[off + 13]).isEqualTo((byte) 1);
        int idLen = (int) Bytes.u32(d, off + 20);
        String name = new String(d, off + 28, idLen - 4, StandardCharsets.UTF_8).trim();
        assertThat(name).startsWith(A.initiatorPort());
        assertThat(Bytes.u32(d, 4)).isEqualTo(2L * 24 + idLen + Bytes.u32(d, off + 24 + idLen + 20));
    }

    @Test
    void registrationsSurviveLunResetAndLogout() {
        registerBoth();
        out(A, RESERVE, 3, KA, 0).good();
        h.target.lunReset(B, 0);
        h.target.nexusRemoved(A);
        h.target.nexusAdded(A);
        h.clearUnitAttentions(B);
        assertThat(canRead(B)).isFalse();
    }

    @Test
    void reserve6ConflictsWithOtherNexusesUntilReleasedOrLogout() {
        h.run(A, Cdb.of(6, 0x16)).good();
        h.run(B, Cdb.of(6, 0x16)).conflict();
        h.run(B, Cdb.tur()).conflict();
        h.run(B, Cdb.inquiry(false, 0, 36)).good();
        h.run(B, Cdb.of(6, 0x17)).good();                           // release by another: no effect
        assertThat(canRead(B)).isFalse();
        h.run(A, Cdb.of(6, 0x17)).good();
        assertThat(canRead(B)).isTrue();
        h.run(A, Cdb.of(6, 0x16)).good();
        h.target.nexusRemoved(A);
        assertThat(canRead(B)).isTrue();
    }

    @Test
    void reserve6IsRefusedWhilePersistentRegistrationsExist() {
        out(A, REGISTER, 0, 0, KA).good();
        h.run(B, Cdb.of(6, 0x16)).conflict();
    }
}
