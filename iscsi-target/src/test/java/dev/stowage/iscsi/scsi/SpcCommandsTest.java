package dev.stowage.iscsi.scsi;

import dev.stowage.core.device.MemoryBlockDevice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.stowage.iscsi.scsi.ScsiHarness.A;
import static dev.stowage.iscsi.scsi.ScsiHarness.B;
import static org.assertj.core.api.Assertions.assertThat;

class SpcCommandsTest {
    private final ScsiHarness h = new ScsiHarness(2048);

    @Test
    void standardInquiryNamesTheDiskAndItsStandards() {
        byte[] d = h.run(Cdb.inquiry(false, 0, 255)).good().data();
        assertThat(d[0]).isEqualTo((byte) 0);                 // connected direct-access device
        assertThat(d[2]).isEqualTo((byte) 6);                 // SPC-4
        assertThat(d[3] & 0x0f).isEqualTo(2);
        assertThat(d[4] & 0xff).isEqualTo(d.length - 5);
        assertThat(new String(d, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("STOWAGE ");
        assertThat(d[7] & 0x02).as("CMDQUE").isNotZero();
        assertThat(Bytes.u16(d, 62)).as("SPC-4 version descriptor").isEqualTo(0x0460);
        assertThat(Bytes.u16(d, 64)).as("SBC-3 version descriptor").isEqualTo(0x04c0);
    }

    @Test
    void inquiryHonoursTheAllocationLength() {
        assertThat(h.run(Cdb.inquiry(false, 0, 5)).good().data()).hasSize(5);
    }

    @Test
    void inquiryRejectsPageCodeWithoutEvpdAndUnknownPages() {
        assertThat(h.run(Cdb.inquiry(false, 0x83, 255)).check(5, 0x24, 0).fieldPointer()).isEqualTo(2);
        h.run(Cdb.inquiry(true, 0x42, 255)).check(5, 0x24, 0);
        byte[] cmddt = Cdb.inquiry(false, 0, 255);
        cmddt[1] = 0x02;
        assertThat(h.run(cmddt).check(5, 0x24, 0).fieldPointer()).isEqualTo(1);
    }

    @Test
    void supportedVpdPagesListsEveryPageAndEachOneAnswers() {
        byte[] d = h.run(Cdb.inquiry(true, 0x00, 255)).good().data();
        int n = Bytes.u16(d, 2);
        assertThat(n).isEqualTo(7);
        for (int i = 0; i < n; i++) {
            int page = d[4 + i] & 0xff;
            byte[] p = h.run(Cdb.inquiry(true, page, 255)).good().data();
            assertThat(p[1] & 0xff).isEqualTo(page);
            assertThat(Bytes.u16(p, 2)).isEqualTo(p.length - 4);
        }
    }

    @Test
    void unitSerialNumberIsTheConfiguredSerial() {
        byte[] d = h.run(Cdb.inquiry(true, 0x80, 255)).good().data();
        assertThat(new String(d, 4, d.length - 4, StandardCharsets.US_ASCII)).isEqualTo("SN0001");
    }

    @Test
    void deviceIdentificationHasNaaT10AndRelativePort() {
        byte[] d = h.run(Cdb.inquiry(true, 0x83, 1024)).good().data();
        boolean naa = false;
        boolean t10 = false;
        boolean rel = false;
        for (int off = 4; off < d.length; off += 4 + (d[off + 3] & 0xff)) {
            int type = d[off + 1] & 0x0f;
            int assoc = (d[off + 1] >>> 4) & 0x3;
            if (type == 3 && assoc == 0) {
                naa = true;
                assertThat((d[off + 4] & 0xf0) >>> 4).isEqualTo(6);
            }
            if (type == 1) {
                t10 = true;
                assertThat(new String(d, off + 4, 8, StandardCharsets.US_ASCII)).isEqualTo("STOWAGE ");
            }
            if (type == 4) {
                rel = true;
                assertThat(assoc).isEqualTo(1);
                assertThat(Bytes.u16(d, off + 6)).isEqualTo(1);
            }
        }
        assertThat(naa && t10 && rel).isTrue();
    }

    @Test
    void blockLimitsAndProvisioningDescribeAThinSolidStateDisk() {
        byte[] b0 = h.run(Cdb.inquiry(true, 0xb0, 255)).good().data();
        assertThat(Bytes.u32(b0, 8)).as("max transfer").isEqualTo(32L * 1024 * 1024 / 512);
        assertThat(Bytes.u32(b0, 20)).as("max unmap LBA count").isLessThanOrEqualTo(1024 * 1024);
        assertThat(Bytes.u32(b0, 20)).as("max unmap LBA count").isPositive();
        assertThat(Bytes.u32(b0, 24)).as("max unmap descriptors").isPositive();
        assertThat(b0[5] & 0xff).as("max compare and write").isEqualTo(255);
        byte[] b1 = h.run(Cdb.inquiry(true, 0xb1, 255)).good().data();
        assertThat(Bytes.u16(b1, 4)).as("non-rotating").isEqualTo(1);
        byte[] b2 = h.run(Cdb.inquiry(true, 0xb2, 255)).good().data();
        assertThat(b2[5] & 0xe4).as("LBPU LBPWS LBPWS10 LBPRZ").isEqualTo(0xe4);
    }

    @Test
    void absentLunIsReportedByInquiryAndRefusedOtherwise() {
        byte[] d = h.run(A, 7, Cdb.inquiry(false, 0, 96), null).good().data();
        assertThat(d[0] & 0xff).isEqualTo(0x7f);
        h.run(A, 7, Cdb.tur(), null).check(5, 0x25, 0);
        h.run(A, 7, Cdb.read10(0, 1), null).check(5, 0x25, 0);
        assertThat(h.run(A, 7, Cdb.reportLuns(0, 64), null).good().data()).hasSize(16);
    }

    @Test
    void reportLunsListsUnitsAndNoWellKnownOnes() {
        byte[] all = h.run(Cdb.reportLuns(0, 64)).good().data();
        assertThat(Bytes.u32(all, 0)).isEqualTo(8);
        assertThat(all).hasSize(16);
        assertThat(all[9]).isEqualTo((byte) 0);
        byte[] wellKnown = h.run(Cdb.reportLuns(1, 64)).good().data();
        assertThat(Bytes.u32(wellKnown, 0)).isEqualTo(8);
        assertThat(Bytes.u16(wellKnown, 8)).isEqualTo(0xc101);
        byte[] both = h.run(Cdb.reportLuns(2, 64)).good().data();
        assertThat(Bytes.u32(both, 0)).isEqualTo(16);
        h.run(Cdb.reportLuns(0x42, 64)).check(5, 0x24, 0);
        h.run(Cdb.reportLuns(0, 8)).check(5, 0x24, 0);
    }

    @Test
    void theReportLunsWellKnownLunAnswersItsCommands() {
        long wlun = 0xc101_0000_0000_0000L;
        byte[] inq = h.run(A, wlun, Cdb.inquiry(false, 0, 96), null).good().data();
        assertThat(inq[0]).isEqualTo((byte) 0x1e);
        assertThat(Bytes.u32(h.run(A, wlun, Cdb.reportLuns(0, 64), null).good().data(), 0)).isEqualTo(8);
        h.run(A, wlun, Cdb.tur(), null).good();
        h.run(A, wlun, Cdb.read10(0, 1), null).check(5, 0x20, 0);
    }

    @Test
    void reportLunsEncodesLargeLunsInFlatSpace() {
        ScsiTargetImpl t = ScsiTargetImpl.builder()
                .disk(0, new MemoryBlockDevice(512, 8), DiskIdentity.of("S0"))
                .disk(300, new MemoryBlockDevice(512, 8), DiskIdentity.of("S1")).build();
        t.nexusAdded(A);
        ScsiResponse r = t.execute(A, new ScsiCommand(0, 1, Cdb.reportLuns(0, 64), ScsiCommand.TaskAttribute.SIMPLE, null, 64));
        byte[] d = new byte[r.dataIn().remaining()];
        r.dataIn().get(d);
        assertThat(Bytes.u32(d, 0)).isEqualTo(16);
        assertThat(d[16] & 0xff).isEqualTo(0x40 | 1);
        assertThat(d[17] & 0xff).isEqualTo(300 & 0xff);
    }

    @Test
    void firstCommandAfterLoginReportsPowerOnThenRequestSenseIsClear() {
        ItNexus c = new ItNexus("iqn.2026-01.test:c,i,0x3", "iqn.2026-11.dev.stowage:vol1,t,0x0001", 1);
        h.target.nexusAdded(c);
        h.run(c, Cdb.inquiry(false, 0, 36)).good();           // INQUIRY does not report it
        h.run(c, Cdb.read10(0, 1)).check(6, 0x29, 0);
        h.run(c, Cdb.read10(0, 1)).good();
        byte[] sense = h.run(c, Cdb.requestSense(18)).good().data();
        assertThat(sense[2] & 0x0f).isZero();
    }

    @Test
    void requestSenseReturnsAndClearsAPendingUnitAttention() {
        h.target.lunReset(B, 0);
        byte[] sense = h.run(A, Cdb.requestSense(18)).good().data();
        assertThat(sense[2] & 0x0f).isEqualTo(6);
        assertThat(sense[12] & 0xff).isEqualTo(0x29);
        h.run(A, Cdb.tur()).good();
    }

    @Test
    void lunResetRaisesUnitAttentionAndReleasesReserve6() {
        h.run(B, Cdb.of(6, 0x16)).good();
        h.run(A, Cdb.read10(0, 1)).conflict();
        h.target.lunReset(A, 0);
        h.run(A, Cdb.tur()).check(6, 0x29, 3);
        h.run(B, Cdb.tur()).check(6, 0x29, 3);
        h.run(A, Cdb.read10(0, 1)).good();
    }

    @Test
    void capacityChangeIsReportedOncePerNexus() {
        h.memory.resize(4096);
        h.run(A, Cdb.read10(0, 1)).check(6, 0x2a, 9);
        h.run(A, Cdb.read10(0, 1)).good();
        h.run(B, Cdb.tur()).check(6, 0x2a, 9);
        byte[] cap = h.run(Cdb.readCapacity10()).good().data();
        assertThat(Bytes.u32(cap, 0)).isEqualTo(4095);
    }

    @Test
    void nacaInTheControlByteIsRefused() {
        byte[] c = Cdb.read10(0, 1);
        c[9] = 0x04;
        assertThat(h.run(c).check(5, 0x24, 0).fieldPointer()).isEqualTo(9);
    }

    @Test
    void unknownOpcodeIsInvalidCommandOperationCode() {
        h.run(Cdb.of(6, 0x02)).check(5, 0x20, 0);
        h.run(Cdb.of(16, 0x9e)).check(5, 0x24, 0);             // SERVICE ACTION IN with SA 0
    }

    @Test
    void modeSenseAllPagesIncludesCachingControlAndExceptions() {
        byte[] d = h.run(Cdb.modeSense6(0x3f, 0, 0, 255, false)).good().data();
        assertThat(d[0] & 0xff).isEqualTo(d.length - 1);
        assertThat(d[3]).as("block descriptor length").isEqualTo((byte) 8);
        assertThat(Bytes.u32(d, 4)).isEqualTo(2048);
        assertThat(pageCodes(d, 12)).containsExactly(0x01, 0x08, 0x0a, 0x1c);
    }

    @Test
    void cachingPageIsHonestAboutTheVolatileCache() {
        // The memory device has no volatile cache: WCE=0 and not changeable.
        byte[] d = h.run(Cdb.modeSense6(0x08, 0, 0, 255, true)).good().data();
        assertThat(d[4]).isEqualTo((byte) 0x08);
        assertThat(d[6] & 0x04).isZero();
        byte[] mask = h.run(Cdb.modeSense6(0x08, 1, 0, 255, true)).good().data();
        assertThat(mask[6] & 0x04).isZero();
    }

    @Test
    void modeSense10WithLongLbaDescriptor() {
        byte[] d = h.run(Cdb.modeSense10(0x0a, 0, 255, true)).good().data();
        assertThat(d[4] & 1).as("LONGLBA").isEqualTo(1);
        assertThat(Bytes.u16(d, 6)).isEqualTo(16);
        assertThat(d[8 + 16] & 0x3f).isEqualTo(0x0a);
    }

    @Test
    void savedValuesAreNotSupported() {
        h.run(Cdb.modeSense6(0x08, 3, 0, 255, false)).check(5, 0x39, 0);
        h.run(Cdb.modeSense6(0x05, 0, 0, 255, false)).check(5, 0x24, 0);
        h.run(Cdb.modeSense6(0x08, 0, 1, 255, false)).check(5, 0x24, 0);
    }

    @Test
    void modeSelectSetsSoftwareWriteProtectAndRejectsUnchangeableBits() {
        byte[] ctl = h.run(Cdb.modeSense6(0x0a, 0, 0, 255, true)).good().data();
        ctl[0] = 0;
        ctl[4 + 4] |= 0x08;                                      // SWP
        h.run(Cdb.modeSelect6(ctl.length, false), ctl).good();
        h.run(B, Cdb.tur()).check(6, 0x2a, 1);                  // mode parameters changed, for the others
        h.run(Cdb.write10(0, 1), new byte[512]).check(7, 0x27, 0);
        byte[] again = h.run(Cdb.modeSense6(0x0a, 0, 0, 255, true)).good().data();
        assertThat(again[2] & 0x80).as("WP in device-specific parameter").isNotZero();
        ctl[4 + 4] &= ~0x08;
        ctl[4 + 3] ^= 0x02;                                     // QERR is not changeable
        h.run(Cdb.modeSelect6(ctl.length, false), ctl).check(5, 0x26, 0);
        ctl[4 + 3] ^= 0x02;
        h.run(Cdb.modeSelect6(ctl.length, false), ctl).good();
        h.run(Cdb.write10(0, 1), new byte[512]).good();
        h.run(Cdb.modeSelect6(ctl.length, true), ctl).check(5, 0x24, 0);
        h.run(Cdb.modeSelect6(ctl.length, false), new byte[3]).check(5, 0x1a, 0);
    }

    @Test
    void reportSupportedOpcodesIsDerivedFromTheTable() {
        byte[] all = h.run(Cdb.rsoc(0, 0, 0, 65535)).good().data();
        int len = (int) Bytes.u32(all, 0);
        assertThat(len % 8).isZero();
        boolean sawRead16 = false;
        boolean sawReadCapacity16 = false;
        for (int off = 4; off < 4 + len; off += 8) {
            int op = all[off] & 0xff;
            if (op == 0x88) {
                sawRead16 = true;
                assertThat(Bytes.u16(all, off + 6)).isEqualTo(16);
            }
            if (op == 0x9e && Bytes.u16(all, off + 2) == 0x10) {
                sawReadCapacity16 = true;
                assertThat(all[off + 5] & 1).as("SERVACTV").isEqualTo(1);
            }
        }
        assertThat(sawRead16 && sawReadCapacity16).isTrue();
        byte[] one = h.run(Cdb.rsoc(1, 0x28, 0, 512)).good().data();
        assertThat(one[1] & 7).isEqualTo(3);
        assertThat(Bytes.u16(one, 2)).isEqualTo(10);
        assertThat(one[4] & 0xff).isEqualTo(0x28);
        h.run(Cdb.rsoc(1, 0x9e, 0, 512)).check(5, 0x24, 0);     // has service actions
        h.run(Cdb.rsoc(2, 0x28, 0, 512)).check(5, 0x24, 0);     // has none
        byte[] sa = h.run(Cdb.rsoc(2, 0x9e, 0x10, 512)).good().data();
        assertThat(sa[5] & 0xff).isEqualTo(0x10);
        byte[] unsupported = h.run(Cdb.rsoc(1, 0x02, 0, 512)).good().data();
        assertThat(unsupported[1] & 7).isEqualTo(1);
        byte[] withTimeouts = h.run(Cdb.rsoc(0x81, 0x28, 0, 512)).good().data();
        assertThat(withTimeouts).hasSize(4 + 10 + 12);
    }

    private static java.util.List<Integer> pageCodes(byte[] d, int off) {
        java.util.List<Integer> codes = new java.util.ArrayList<>();
        while (off < d.length) {
            codes.add(d[off] & 0x3f);
            off += 2 + (d[off + 1] & 0xff);
        }
        return codes;
    }
}
