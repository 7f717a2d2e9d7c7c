package dev.stowage.iscsi.scsi;

import dev.stowage.core.device.MemoryBlockDevice;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static dev.stowage.iscsi.scsi.ScsiHarness.A;
import static dev.stowage.iscsi.scsi.ScsiHarness.B;
import static org.assertj.core.api.Assertions.assertThat;

class ExtendedCopyTest {
    private static final int BS = ScsiHarness.BS;
    private final ScsiHarness h = new ScsiHarness(4096);

    /** Identification target descriptor naming the unit by its NAA designator. */
    private static byte[] target(DiskIdentity id) {
        byte[] d = new byte[32];
        d[0] = (byte) 0xe4;
        d[4] = 0x01;                       // binary
        d[5] = 0x03;                       // NAA, associated with the logical unit
        d[7] = 16;
        System.arraycopy(id.naa(), 0, d, 8, 16);
        d[30] = (byte) (BS >>> 8);
        d[31] = (byte) BS;
        return d;
    }

    private static byte[] segment(int src, int dst, int blocks, long srcLba, long dstLba) {
        byte[] d = new byte[28];
        d[0] = 0x02;
        d[3] = 0x18;
        d[5] = (byte) src;
        d[7] = (byte) dst;
        Bytes.putU16(d, 10, blocks);
        Bytes.putU64(d, 12, srcLba);
        Bytes.putU64(d, 20, dstLba);
        return d;
    }

    private static byte[] list(int listId, int usage, byte[][] targets, byte[][] segments) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        for (byte[] x : targets) {
            t.writeBytes(x);
        }
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (byte[] x : segments) {
            s.writeBytes(x);
        }
        byte[] header = new byte[16];
        header[0] = (byte) listId;
        header[1] = (byte) (usage << 3);
        Bytes.putU16(header, 2, t.size());
        Bytes.putU32(header, 8, s.size());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(header);
        all.writeBytes(t.toByteArray());
        all.writeBytes(s.toByteArray());
        return all.toByteArray();
    }

    private static byte[] xcopy(int length) {
        byte[] c = Cdb.of(16, 0x83);
        Bytes.putU32(c, 10, length);
        return c;
    }

    private static byte[] receive(int sa, int listId) {
        byte[] c = Cdb.of(16, 0x84);
        c[1] = (byte) sa;
        c[2] = (byte) listId;
        Bytes.putU32(c, 10, 1024);
        return c;
    }

    private DiskIdentity id() {
        return h.target.unit(0).identity();
    }

    @Test
    void copiesBlocksWithinTheUnitAndReportsStatus() {
        h.run(Cdb.write16(0, 100), Cdb.filled(100 * BS, 'A')).good();
        byte[] p = list(7, 0, new byte[][] {target(id())}, new byte[][] {segment(0, 0, 100, 0, 3000)});
        h.run(xcopy(p.length), p).good();
        assertThat(h.run(Cdb.read16(3000, 100)).good().data()).isEqualTo(Cdb.filled(100 * BS, 'A'));
        byte[] status = h.run(receive(0, 7)).good().data();
        assertThat(status[4]).as("completed without errors").isEqualTo((byte) 1);
        assertThat(Bytes.u16(status, 5)).as("segments").isEqualTo(1);
        assertThat(Bytes.u32(status, 8)).as("bytes").isEqualTo(100L * BS);
        h.run(B, receive(0, 7)).check(5, 0x24, 0);                    // per nexus
        h.target.nexusRemoved(A);
        h.target.nexusAdded(A);
        h.run(receive(0, 7)).check(6, 0x29, 0);                       // a new nexus: power on / reset
        h.run(receive(0, 7)).check(5, 0x24, 0);                       // results dropped at logout
    }

    @Test
    void overlappingCopyBehavesLikeMemmove() {
        byte[] data = new byte[20 * BS];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i / BS);
        }
        h.run(Cdb.write16(10, 20), data).good();
        byte[] p = list(1, 2, new byte[][] {target(id())}, new byte[][] {segment(0, 0, 20, 10, 15)});
        h.run(xcopy(p.length), p).good();
        assertThat(h.run(Cdb.read16(15, 20)).good().data()).isEqualTo(data);
    }

    @Test
    void copiesBetweenUnitsOfTheTarget() {
        MemoryBlockDevice second = new MemoryBlockDevice(BS, 100);
        DiskIdentity id0 = DiskIdentity.of("X0");
        DiskIdentity id1 = DiskIdentity.of("X1");
        ScsiTargetImpl t = ScsiTargetImpl.builder().disk(0, new MemoryBlockDevice(BS, 100), id0).disk(1, second, id1).build();
        t.execute(A, new ScsiCommand(0, 1, Cdb.tur(), ScsiCommand.TaskAttribute.SIMPLE, null, 0));
        t.execute(A, new ScsiCommand(0, 2, Cdb.write10(5, 2), ScsiCommand.TaskAttribute.SIMPLE, Cdb.wrap(Cdb.filled(2 * BS, 9)), 0));
        byte[] p = list(1, 2, new byte[][] {target(id0), target(id1)}, new byte[][] {segment(0, 1, 2, 5, 50)});
        ScsiResponse r = t.execute(A, new ScsiCommand(0, 3, xcopy(p.length), ScsiCommand.TaskAttribute.SIMPLE, Cdb.wrap(p), 0));
        assertThat(r.status()).isEqualTo(ScsiResponse.GOOD);
        java.nio.ByteBuffer back = java.nio.ByteBuffer.allocate(2 * BS);
        try {
            second.read(50, back);
        } catch (dev.stowage.core.device.DeviceException e) {
            throw new AssertionError(e);
        }
        assertThat(back.array()).isEqualTo(Cdb.filled(2 * BS, 9));
    }

    @Test
    void badListsAreRefusedBeforeAnythingMoves() {
        byte[] tgt = target(id());
        byte[] seg = segment(0, 0, 10, 0, 100);
        byte[] ok = list(1, 2, new byte[][] {tgt}, new byte[][] {seg});
        h.run(xcopy(ok.length - 1), ok).check(5, 0x1a, 0);                          // truncated
        h.run(xcopy(0), null).good();
        byte[] three = list(1, 2, new byte[][] {tgt, tgt, tgt}, new byte[][] {seg});
        h.run(xcopy(three.length), three).check(5, 0x26, 6);
        byte[][] nine = new byte[9][];
        java.util.Arrays.fill(nine, seg);
        byte[] many = list(1, 2, new byte[][] {tgt}, nine);
        h.run(xcopy(many.length), many).check(5, 0x26, 8);
        byte[] fc = tgt.clone();
        fc[0] = (byte) 0xe0;
        byte[] fcList = list(1, 2, new byte[][] {fc}, new byte[][] {seg});
        h.run(xcopy(fcList.length), fcList).check(5, 0x26, 7);
        byte[] stream = seg.clone();
        stream[0] = 0x03;
        byte[] streamList = list(1, 2, new byte[][] {tgt}, new byte[][] {stream});
        h.run(xcopy(streamList.length), streamList).check(5, 0x26, 9);
        byte[] badIndex = list(1, 2, new byte[][] {tgt}, new byte[][] {segment(0, 1, 10, 0, 100)});
        h.run(xcopy(badIndex.length), badIndex).check(0xa, 0x08, 4);
        byte[] beyond = list(1, 2, new byte[][] {tgt}, new byte[][] {segment(0, 0, 10, 0, 4090)});
        h.run(xcopy(beyond.length), beyond).check(0xa, 0, 0);
        byte[] unknown = list(1, 2, new byte[][] {target(DiskIdentity.of("ELSEWHERE"))}, new byte[][] {seg});
        h.run(xcopy(unknown.length), unknown).check(0xa, 0x08, 4);
    }

    @Test
    void operatingParametersAndThirdPartyCopyPageDescribeTheCopyManager() {
        byte[] op = h.run(receive(3, 0)).good().data();
        assertThat(Bytes.u16(op, 8)).isEqualTo(2);
        assertThat(Bytes.u16(op, 10)).isEqualTo(8);
        assertThat(Bytes.u32(op, 12)).isEqualTo(1024);
        byte[] inq = h.run(Cdb.inquiry(false, 0, 96)).good().data();
        assertThat(inq[5] & 0x08).as("3PC").isNotZero();
        byte[] vpd = h.run(Cdb.inquiry(true, 0x8f, 255)).good().data();
        assertThat(Bytes.u16(vpd, 4)).as("supported commands descriptor").isEqualTo(1);
        assertThat(vpd[9] & 0xff).isEqualTo(0x83);
    }

    @Test
    void copyIntoAWriteProtectedUnitIsRefused() {
        ScsiHarness ro = new ScsiHarness(new MemoryBlockDevice(BS, 100, true));
        byte[] p = list(1, 2, new byte[][] {target(ro.target.unit(0).identity())}, new byte[][] {segment(0, 0, 1, 0, 5)});
        ro.run(xcopy(p.length), p).check(7, 0x27, 0);
    }
}
