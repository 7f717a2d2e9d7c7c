package dev.stowage.iscsi.scsi;

import org.junit.jupiter.api.Test;

import static dev.stowage.iscsi.scsi.ScsiHarness.A;
import static dev.stowage.iscsi.scsi.ScsiHarness.B;
import static org.assertj.core.api.Assertions.assertThat;

/** The less common commands and task management paths. */
class MoreCommandsTest {
    private static final int BS = ScsiHarness.BS;
    private final ScsiHarness h = new ScsiHarness(1000);

    @Test
    void preventAllowIsRecordedPerNexusAndClearedByLogout() {
        byte[] prevent = Cdb.of(6, 0x1e);
        prevent[4] = 1;
        h.run(A, prevent).good();
        assertThat(h.target.unit(0).preventRemoval()).containsExactly(A);
        h.target.nexusRemoved(A);
        assertThat(h.target.unit(0).preventRemoval()).isEmpty();
        prevent[4] = 2;                                                 // obsolete persistent prevent
        h.run(B, prevent).check(5, 0x24, 0);
    }

    @Test
    void reserve10AndRelease10BehaveLikeTheSixByteForms() {
        h.run(A, Cdb.of(10, 0x56)).good();
        h.run(B, Cdb.write10(0, 1), new byte[BS]).conflict();
        h.run(B, Cdb.of(10, 0x56)).conflict();
        byte[] thirdParty = Cdb.of(10, 0x56);
        thirdParty[1] = 0x10;
        h.run(A, thirdParty).check(5, 0x24, 0);
        h.run(A, Cdb.of(10, 0x57)).good();
        h.run(B, Cdb.write10(0, 1), new byte[BS]).good();
    }

    @Test
    void modeSelect10ChangesTheControlPage() {
        byte[] ms = h.run(Cdb.modeSense10(0x0a, 0, 255, false)).good().data();
        ms[0] = 0;
        ms[1] = 0;
        int page = 8 + Bytes.u16(ms, 6);
        ms[page + 4] |= 0x08;                                           // SWP
        byte[] cdb = Cdb.of(10, 0x55);
        cdb[1] = 0x10;
        Bytes.putU16(cdb, 7, ms.length);
        h.run(cdb, ms).good();
        h.run(Cdb.write16(0, 1), new byte[BS]).check(7, 0x27, 0);
        byte[] badLength = ms.clone();
        badLength[page + 1] = 9;
        h.run(cdb, badLength).check(5, 0x26, 0);
        byte[] badBlockSize = ms.clone();
        Bytes.putU16(badBlockSize, 6, 8);
        byte[] withDescriptor = new byte[ms.length + 8];
        System.arraycopy(badBlockSize, 0, withDescriptor, 0, 8);
        Bytes.putU32(withDescriptor, 12, 4096);                         // block length 4096 != 512
        System.arraycopy(ms, 8, withDescriptor, 16, ms.length - 8);
        Bytes.putU16(cdb, 7, withDescriptor.length);
        h.run(cdb, withDescriptor).check(5, 0x26, 0);
    }

    @Test
    void synchronizeCache16Flushes() {
        h.run(Cdb.rw16(0x91, 0, 10, 0x02)).good();                      // IMMED still flushes before GOOD
        assertThat(h.device.flushes()).isEqualTo(1);
        h.run(Cdb.rw16(0x91, 995, 10, 0)).check(5, 0x21, 0);
    }

    @Test
    void targetResetRaisesPowerOnResetForEveryNexusOnEveryUnit() {
        h.run(A, Cdb.of(6, 0x16)).good();
        h.target.targetReset(B);
        h.run(A, Cdb.tur()).check(6, 0x29, 0);
        h.run(B, Cdb.tur()).check(6, 0x29, 0);
        h.run(B, Cdb.read10(0, 1)).good();                              // RESERVE(6) released
    }

    @Test
    void unitAttentionsAreReportedOldestFirstWithoutDuplicates() {
        h.target.lunReset(A, 0);
        h.target.lunReset(A, 0);
        h.memory.resize(2000);
        h.run(A, Cdb.read10(0, 1)).check(6, 0x29, 3);
        h.run(A, Cdb.read10(0, 1)).check(6, 0x2a, 9);
        h.run(A, Cdb.read10(0, 1)).good();
    }

    @Test
    void writeAndVerify12RoundTrips() {
        h.run(Cdb.rw12(0xae, 40, 2, 0), Cdb.filled(2 * BS, 0x12)).good();
        assertThat(h.run(Cdb.rw12(0xa8, 40, 2, 0)).good().data()).isEqualTo(Cdb.filled(2 * BS, 0x12));
        h.run(Cdb.rw12(0xae, 40, 1, 0x04), Cdb.filled(BS, 1)).check(5, 0x24, 0);   // reserved bit 2
    }

    @Test
    void preemptAndAbortRemovesTheOtherRegistration() {
        h.run(A, Cdb.prOut(0, 0), Cdb.prOutParams(0, 0xa)).good();
        h.run(B, Cdb.prOut(0, 0), Cdb.prOutParams(0, 0xb)).good();
        h.run(A, Cdb.prOut(1, 3), Cdb.prOutParams(0xa, 0)).good();
        h.run(B, Cdb.prOut(5, 3), Cdb.prOutParams(0xb, 0xa)).good();
        h.run(A, Cdb.tur()).check(6, 0x2a, 5);
        h.run(A, Cdb.read10(0, 1)).conflict();
        h.run(B, Cdb.read10(0, 1)).good();
    }

    @Test
    void unitAttentionStateIsForgottenAtLogout() {
        h.target.lunReset(B, 0);
        h.target.nexusRemoved(A);
        h.target.nexusAdded(A);
        h.run(A, Cdb.tur()).check(6, 0x29, 0);                          // fresh nexus: power on, not the old reset
        h.run(A, Cdb.tur()).good();
    }

    @Test
    void nexusThatWasNeverAnnouncedStillGetsPowerOnFirst() {
        ItNexus stranger = new ItNexus("iqn.2026-01.test:s,i,0x9", "iqn.2026-11.dev.stowage:vol1,t,0x0001", 1);
        h.run(stranger, Cdb.tur()).check(6, 0x29, 0);
        h.run(stranger, Cdb.tur()).good();
    }
}
