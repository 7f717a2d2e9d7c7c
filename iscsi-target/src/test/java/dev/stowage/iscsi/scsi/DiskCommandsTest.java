package dev.stowage.iscsi.scsi;

import dev.stowage.core.device.DeviceError;
import dev.stowage.core.device.MemoryBlockDevice;
import dev.stowage.core.device.FaultInjectingBlockDevice;
import dev.stowage.core.device.FileBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DiskCommandsTest {
    private static final int BS = ScsiHarness.BS;
    private final ScsiHarness h = new ScsiHarness(1000);

    @Test
    void writeThenReadBackWithEveryCdbSize() {
        h.run(Cdb.rw6(0x0a, 1, 1), Cdb.filled(BS, 6)).good();
        h.run(Cdb.rw10(0x2a, 2, 1, 0), Cdb.filled(BS, 10)).good();
        h.run(Cdb.rw12(0xaa, 3, 1, 0), Cdb.filled(BS, 12)).good();
        h.run(Cdb.rw16(0x8a, 4, 1, 0), Cdb.filled(BS, 16)).good();
        assertThat(h.run(Cdb.rw6(0x08, 1, 1)).good().data()).isEqualTo(Cdb.filled(BS, 6));
        assertThat(h.run(Cdb.rw10(0x28, 2, 1, 0)).good().data()).isEqualTo(Cdb.filled(BS, 10));
        assertThat(h.run(Cdb.rw12(0xa8, 3, 1, 0)).good().data()).isEqualTo(Cdb.filled(BS, 12));
        assertThat(h.run(Cdb.rw16(0x88, 4, 1, 0)).good().data()).isEqualTo(Cdb.filled(BS, 16));
        byte[] four = h.run(Cdb.read10(1, 4)).good().data();
        assertThat(four).hasSize(4 * BS);
        assertThat(four[3 * BS]).isEqualTo((byte) 16);
    }

    @Test
    void read6WithZeroLengthMeans256Blocks() {
        assertThat(h.run(Cdb.rw6(0x08, 0, 0)).good().data()).hasSize(256 * BS);
    }

    @Test
    void fuaIsPassedToTheDeviceAndDpoIgnored() {
        h.run(Cdb.rw10(0x2a, 0, 1, 0x08), new byte[BS]).good();
        h.run(Cdb.rw16(0x8a, 0, 1, 0x10), new byte[BS]).good();
        assertThat(h.device.fuaWrites()).isEqualTo(1);
        assertThat(h.device.writes()).isEqualTo(2);
        h.run(Cdb.rw10(0x28, 0, 1, 0x18)).good();
    }

    @Test
    void outOfRangeIsLbaOutOfRange() {
        h.run(Cdb.read10(1000, 1)).check(5, 0x21, 0);
        h.run(Cdb.read10(999, 2)).check(5, 0x21, 0);
        h.run(Cdb.read16(-1L, 1)).check(5, 0x21, 0);
        h.run(Cdb.write16(0x7fff_ffff_ffff_ffffL, 1), new byte[BS]).check(5, 0x21, 0);
        h.run(Cdb.read10(1000, 0)).good();                       // zero blocks at the capacity: no transfer
        h.run(Cdb.read10(1001, 0)).check(5, 0x21, 0);
        h.run(Cdb.rw6(0x08, 1000, 1)).check(5, 0x21, 0);
    }

    @Test
    void transferLongerThanTheLimitIsAnInvalidField() {
        ScsiHarness big = new ScsiHarness(200_000);
        assertThat(big.run(Cdb.read16(0, 65537)).check(5, 0x24, 0).fieldPointer()).isEqualTo(10);
        big.run(Cdb.read16(0, 65536)).good();
    }

    @Test
    void protectionFieldsAreRefusedWithAFieldPointer() {
        assertThat(h.run(Cdb.rw10(0x28, 0, 1, 0x20)).check(5, 0x24, 0).fieldPointer()).isEqualTo(1);
        h.run(Cdb.rw16(0x8a, 0, 1, 0x40), new byte[BS]).check(5, 0x24, 0);
    }

    @Test
    void shortDataOutWritesOnlyTheWholeBlocksThatArrived() {
        h.run(Cdb.write10(0, 2), Cdb.filled(2 * BS, 1)).good();
        ScsiHarness.Result r = h.run(Cdb.write10(0, 2), Cdb.filled(BS + 100, 2)).good();
        assertThat(r.response().dataOutExpected()).as("for the transport's overflow residual").isEqualTo(2 * BS);
        byte[] back = h.run(Cdb.read10(0, 2)).good().data();
        assertThat(Arrays.copyOfRange(back, 0, BS)).isEqualTo(Cdb.filled(BS, 2));
        assertThat(Arrays.copyOfRange(back, BS, 2 * BS)).isEqualTo(Cdb.filled(BS, 1));
        h.run(Cdb.write10(0, 1), null).good();
        assertThat(h.run(Cdb.read10(0, 1)).good().data()).isEqualTo(Cdb.filled(BS, 2));
    }

    @Test
    void extraDataOutBeyondTheTransferLengthIsIgnored() {
        h.run(Cdb.write10(0, 1), Cdb.filled(2 * BS, 9)).good();
        assertThat(h.run(Cdb.read10(1, 1)).good().data()).isEqualTo(new byte[BS]);
    }

    @Test
    void readOnlyDeviceRefusesWritesWithDataProtect() {
        ScsiHarness ro = new ScsiHarness(new MemoryBlockDevice(BS, 100, true));
        ro.run(Cdb.write10(0, 1), new byte[BS]).check(7, 0x27, 0);
        ro.run(Cdb.writeSame10(0, 1, false), new byte[BS]).check(7, 0x27, 0);
        ro.run(Cdb.unmap(24), Cdb.unmapList(0, 1)).check(7, 0x27, 0);
        ro.run(Cdb.compareAndWrite(0, 1), new byte[2 * BS]).check(7, 0x27, 0);
        ro.run(Cdb.read10(0, 1)).good();
        byte[] ms = ro.run(Cdb.modeSense6(0x3f, 0, 0, 255, false)).good().data();
        assertThat(ms[2] & 0x80).as("WP").isNotZero();
    }

    @Test
    void deviceErrorsMapToMediumErrors() {
        h.device.failNextRead(DeviceError.MEDIUM_ERROR_READ);
        h.run(Cdb.read10(0, 1)).check(3, 0x11, 0);
        h.device.failNextWrite(DeviceError.MEDIUM_ERROR_WRITE);
        h.run(Cdb.write10(0, 1), new byte[BS]).check(3, 0x0c, 0);
        h.device.failNextRead(DeviceError.NOT_READY);
        h.run(Cdb.read10(0, 1)).check(2, 0x04, 0);
        h.device.failNextRead(DeviceError.INTERNAL);
        h.run(Cdb.read10(0, 1)).check(4, 0x44, 0);
    }

    @Test
    void readCapacity10And16() {
        byte[] c10 = h.run(Cdb.readCapacity10()).good().data();
        assertThat(Bytes.u32(c10, 0)).isEqualTo(999);
        assertThat(Bytes.u32(c10, 4)).isEqualTo(BS);
        byte[] c16 = h.run(Cdb.readCapacity16(32)).good().data();
        assertThat(Bytes.u64(c16, 0)).isEqualTo(999);
        assertThat(c16[14] & 0xc0).as("LBPME LBPRZ").isEqualTo(0xc0);
        assertThat(h.run(Cdb.readCapacity16(12)).good().data()).hasSize(12);
        byte[] bad = Cdb.readCapacity10();
        bad[5] = 1;                                              // LBA without PMI
        h.run(bad).check(5, 0x24, 0);
    }

    @Test
    void synchronizeCacheFlushesTheDevice() {
        h.run(Cdb.syncCache10()).good();
        assertThat(h.device.flushes()).isEqualTo(1);
        byte[] beyond = Cdb.rw10(0x35, 2000, 1, 0);
        h.run(beyond).check(5, 0x21, 0);
    }

    @Test
    void writeAndVerifyWritesDurably() {
        h.run(Cdb.rw10(0x2e, 5, 1, 0x02), Cdb.filled(BS, 0x5a)).good();
        assertThat(h.device.fuaWrites()).isEqualTo(1);
        assertThat(h.run(Cdb.read10(5, 1)).good().data()).isEqualTo(Cdb.filled(BS, 0x5a));
        h.run(Cdb.rw16(0x8e, 999, 2, 0), Cdb.filled(2 * BS, 1)).check(5, 0x21, 0);
    }

    @Test
    void verifyComparesWhenAskedAndReportsTheOffset() {
        byte[] data = Cdb.filled(2 * BS, 3);
        h.run(Cdb.write10(10, 2), data).good();
        h.run(Cdb.rw10(0x2f, 10, 2, 0)).good();                       // BYTCHK 0: medium check
        h.run(Cdb.rw10(0x2f, 10, 2, 0x02), data).good();             // BYTCHK 1: equal
        byte[] other = data.clone();
        other[BS + 7] = 9;
        assertThat(h.run(Cdb.rw10(0x2f, 10, 2, 0x02), other).check(0xe, 0x1d, 0).information()).isEqualTo(BS + 7);
        h.run(Cdb.rw16(0x8f, 10, 2, 0x06), Cdb.filled(BS, 3)).good(); // BYTCHK 3: one block for all
        h.run(Cdb.rw12(0xaf, 10, 2, 0x04)).check(5, 0x24, 0);          // BYTCHK 2 reserved
        h.run(Cdb.rw10(0x2f, 10, 2, 0x02), Cdb.filled(BS, 3)).check(5, 0x0e, 3);
        h.run(Cdb.rw10(0x2f, 999, 2, 0)).check(5, 0x21, 0);
    }

    @Test
    void compareAndWriteSwapsOnlyWhenTheDataMatches() {
        h.run(Cdb.write10(20, 1), Cdb.filled(BS, 'a')).good();
        byte[] buf = new byte[2 * BS];
        Arrays.fill(buf, 0, BS, (byte) 'a');
        Arrays.fill(buf, BS, 2 * BS, (byte) 'b');
        h.run(Cdb.compareAndWrite(20, 1), buf).good();
        assertThat(h.run(Cdb.read10(20, 1)).good().data()).isEqualTo(Cdb.filled(BS, 'b'));
        buf[100] = 'x';
        assertThat(h.run(Cdb.compareAndWrite(20, 1), buf).check(0xe, 0x1d, 0).information()).isZero();
        byte[] partial = new byte[2 * BS];
        Arrays.fill(partial, 0, BS, (byte) 'b');
        partial[100] = 'x';
        assertThat(h.run(Cdb.compareAndWrite(20, 1), partial).check(0xe, 0x1d, 0).information()).isEqualTo(100);
        assertThat(h.run(Cdb.read10(20, 1)).good().data()).isEqualTo(Cdb.filled(BS, 'b'));
    }

    @Test
    void compareAndWriteNeedsExactlyTwiceTheBlocks() {
        assertThat(h.run(Cdb.compareAndWrite(0, 1), new byte[4 * BS]).check(5, 0x24, 0).fieldPointer()).isEqualTo(13);
        h.run(Cdb.compareAndWrite(0, 3), new byte[4 * BS]).check(5, 0x24, 0);
        h.run(Cdb.compareAndWrite(0, 0), new byte[4 * BS]).check(5, 0x24, 0);
        h.run(Cdb.compareAndWrite(999, 2), new byte[4 * BS]).check(5, 0x21, 0);
        h.run(Cdb.compareAndWrite(0, 0), null).good();
    }

    @Test
    void unmapDeallocatesAndReadsZeros() {
        h.run(Cdb.write10(0, 256), Cdb.filled(256 * BS, 7)).good();
        long before = h.memory.allocatedBytes();
        byte[] list = Cdb.unmapList(0, 128, 128, 128);
        h.run(Cdb.unmap(list.length), list).good();
        assertThat(h.memory.allocatedBytes()).isLessThan(before);
        assertThat(h.run(Cdb.read10(0, 256)).good().data()).isEqualTo(new byte[256 * BS]);
    }

    @Test
    void unmapChecksEveryDescriptorBeforeChangingAnything() {
        h.run(Cdb.write10(0, 1), Cdb.filled(BS, 7)).good();
        byte[] list = Cdb.unmapList(0, 1, 999, 5);
        h.run(Cdb.unmap(list.length), list).check(5, 0x21, 0);
        assertThat(h.run(Cdb.read10(0, 1)).good().data()).isEqualTo(Cdb.filled(BS, 7));
        h.run(Cdb.unmap(0), null).good();
        h.run(Cdb.unmap(4), new byte[4]).check(5, 0x1a, 0);
        h.run(Cdb.unmap(24), new byte[8]).check(5, 0x1a, 0);
        byte[] anchor = Cdb.unmap(24);
        anchor[1] = 1;
        h.run(anchor, Cdb.unmapList(0, 1)).check(5, 0x24, 0);
    }

    @Test
    void writeSameFillsAndUnmaps() {
        byte[] pattern = Cdb.filled(BS, 0x42);
        h.run(Cdb.writeSame10(100, 50, false), pattern).good();
        byte[] back = h.run(Cdb.read10(100, 50)).good().data();
        assertThat(back).isEqualTo(Cdb.filled(50 * BS, 0x42));
        h.run(Cdb.writeSame16(100, 50, true, false), new byte[BS]).good();
        assertThat(h.run(Cdb.read10(100, 50)).good().data()).isEqualTo(new byte[50 * BS]);
        h.run(Cdb.writeSame16(100, 10, true, false), Cdb.filled(BS, 0x42)).good();   // UNMAP wins over the pattern
        assertThat(h.run(Cdb.read10(100, 10)).good().data()).isEqualTo(new byte[10 * BS]);
        h.run(Cdb.writeSame16(0, 10, true, true), null).good();           // NDOB
        h.run(Cdb.writeSame10(990, 0, false), pattern).good();           // 0 blocks: to the end
        assertThat(h.run(Cdb.read10(999, 1)).good().data()).isEqualTo(pattern);
        h.run(Cdb.writeSame10(995, 10, false), pattern).check(5, 0x21, 0);
        h.run(Cdb.writeSame10(0, 1, false), new byte[2 * BS]).check(5, 0x0e, 3);
        h.run(Cdb.rw10(0x41, 0, 1, 0x10), pattern).check(5, 0x24, 0);   // ANCHOR
        h.run(Cdb.rw10(0x41, 0, 1, 0x01), pattern).check(5, 0x24, 0);   // NDOB does not exist in (10)
    }

    @Test
    void getLbaStatusReportsMappedAndDeallocatedExtents() {
        h.run(Cdb.write10(128, 128), Cdb.filled(128 * BS, 1)).good();   // one 64 KiB chunk
        byte[] d = h.run(Cdb.getLbaStatus(0, 1024)).good().data();
        assertThat(Bytes.u32(d, 0)).isEqualTo(4 + 16 * 3);
        assertThat(Bytes.u64(d, 8)).isEqualTo(0);
        assertThat(Bytes.u32(d, 16)).isEqualTo(128);
        assertThat(d[20]).isEqualTo((byte) 1);                           // deallocated
        assertThat(Bytes.u64(d, 24)).isEqualTo(128);
        assertThat(d[36]).isEqualTo((byte) 0);                           // mapped
        h.run(Cdb.getLbaStatus(1000, 1024)).check(5, 0x21, 0);
        assertThat(h.run(Cdb.getLbaStatus(0, 24)).good().data()).hasSize(24);
    }

    @Test
    void prefetchReportsConditionMet() {
        assertThat(h.run(Cdb.rw10(0x34, 0, 10, 0)).status()).isEqualTo(ScsiResponse.CONDITION_MET);
        assertThat(h.run(Cdb.rw16(0x90, 0, 10, 0)).status()).isEqualTo(ScsiResponse.CONDITION_MET);
        h.run(Cdb.rw10(0x34, 995, 10, 0)).check(5, 0x21, 0);
    }

    @Test
    void stopMakesTheUnitNotReadyUntilStarted() {
        h.run(Cdb.startStop(false, true)).check(5, 0x24, 0);             // not removable: no eject
        h.run(Cdb.startStop(false, false)).good();
        assertThat(h.device.flushes()).isEqualTo(1);
        h.run(Cdb.tur()).check(2, 0x04, 2);
        h.run(Cdb.read10(0, 1)).check(2, 0x04, 2);
        h.run(Cdb.inquiry(false, 0, 36)).good();
        h.run(Cdb.startStop(true, false)).good();
        h.run(Cdb.tur()).good();
    }

    @Test
    void turningTheWriteCacheOffMakesEveryWriteDurable(@TempDir Path dir) throws Exception {
        FaultInjectingBlockDevice dev = new FaultInjectingBlockDevice(FileBlockDevice.create(dir.resolve("d.img"), BS, 64));
        ScsiTargetImpl t = ScsiHarness.targetOf(dev);
        ItNexus n = ScsiHarness.A;
        t.nexusAdded(n);
        run(t, n, Cdb.tur(), null);                                         // power-on unit attention
        byte[] caching = data(run(t, n, Cdb.modeSense6(0x08, 0, 0, 255, true), null));
        assertThat(caching[6] & 0x04).as("WCE: file pages sit in the page cache").isNotZero();
        byte[] mask = data(run(t, n, Cdb.modeSense6(0x08, 1, 0, 255, true), null));
        assertThat(mask[6] & 0x04).as("WCE changeable").isNotZero();
        run(t, n, Cdb.write10(0, 1), new byte[BS]);
        assertThat(dev.fuaWrites()).isZero();
        caching[0] = 0;
        caching[6] &= ~0x04;
        assertThat(run(t, n, Cdb.modeSelect6(caching.length, false), caching).status()).isEqualTo(ScsiResponse.GOOD);
        run(t, n, Cdb.write10(0, 1), new byte[BS]);
        assertThat(dev.fuaWrites()).isEqualTo(1);
        t.lunReset(n, 0);                                                    // defaults again
        run(t, n, Cdb.tur(), null);
        run(t, n, Cdb.write10(0, 1), new byte[BS]);
        assertThat(dev.fuaWrites()).isEqualTo(1);
        dev.close();
    }

    private static ScsiResponse run(ScsiTargetImpl t, ItNexus n, byte[] cdb, byte[] out) {
        return t.execute(n, new ScsiCommand(0, 1, cdb, ScsiCommand.TaskAttribute.SIMPLE, Cdb.wrap(out), 65536));
    }

    private static byte[] data(ScsiResponse r) {
        byte[] d = new byte[r.dataIn().remaining()];
        r.dataIn().duplicate().get(d);
        return d;
    }

    @Test
    void cdbShorterThanTheCommandIsRefused() {
        byte[] cut = Arrays.copyOf(Cdb.read16(0, 1), 10);
        h.run(cut).check(5, 0x24, 0);
    }

    @Test
    void orWriteMergesBitsIntoTheMedium() {
        h.run(Cdb.write10(30, 1), Cdb.filled(BS, 0x0f)).good();
        h.run(Cdb.rw16(0x8b, 30, 1, 0), Cdb.filled(BS, 0xf0)).good();
        assertThat(h.run(Cdb.read10(30, 1)).good().data()).isEqualTo(Cdb.filled(BS, 0xff));
        h.run(Cdb.rw16(0x8b, 30, 1, 0x20), Cdb.filled(BS, 1)).check(5, 0x24, 0);   // ORPROTECT
        h.run(Cdb.rw16(0x8b, 999, 2, 0), Cdb.filled(2 * BS, 1)).check(5, 0x21, 0);
    }

    @Test
    void readDefectDataReportsEmptyLists() {
        byte[] c = Cdb.of(10, 0x37);
        c[2] = 0x18;                                                     // PLIST and GLIST, format 0
        Bytes.putU16(c, 7, 32);
        byte[] d = h.run(c).good().data();
        assertThat(d).hasSize(4);
        assertThat(d[1]).isEqualTo((byte) 0x18);
        assertThat(Bytes.u16(d, 2)).isZero();
    }

    @Test
    void unexpectedHandlerFailureIsAHardwareErrorNotAnException() {
        // A BlockDevice that breaks its contract with an unchecked exception.
        dev.stowage.core.device.BlockDevice broken = new dev.stowage.core.device.BlockDevice() {
            public int blockSize() {
                return BS;
            }

            public long blockCount() {
                return 10;
            }

            public void read(long lba, java.nio.ByteBuffer dst) {
                throw new IllegalStateException("bug");
            }

            public void write(long lba, java.nio.ByteBuffer src, boolean fua) {
            }

            public void flush() {
            }

            public void unmap(long lba, long blocks) {
            }

            public void writeSame(long lba, long blocks, java.nio.ByteBuffer pattern, boolean unmap) {
            }

            public void close() {
            }
        };
        ScsiTargetImpl t = ScsiHarness.targetOf(broken);
        ScsiResponse r = t.execute(ScsiHarness.A, new ScsiCommand(0, 1, Cdb.read10(0, 1), ScsiCommand.TaskAttribute.SIMPLE, null, 512));
        assertThat(r.status()).isEqualTo(ScsiResponse.CHECK_CONDITION);
        r = t.execute(ScsiHarness.A, new ScsiCommand(0, 2, Cdb.read10(0, 1), ScsiCommand.TaskAttribute.SIMPLE, null, 512));
        assertThat(r.sense()[2] & 0x0f).isEqualTo(4);
        ScsiResponse shortReportLuns = t.execute(ScsiHarness.A,
                new ScsiCommand(9, 3, Cdb.of(6, 0xa0), ScsiCommand.TaskAttribute.SIMPLE, null, 512));
        assertThat(shortReportLuns.status()).isEqualTo(ScsiResponse.CHECK_CONDITION);
    }
}
