package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.BlockDevice;
import dev.stowage.core.device.DeviceException;
import dev.stowage.iscsi.scsi.Access;
import dev.stowage.iscsi.scsi.Bytes;
import dev.stowage.iscsi.scsi.LogicalUnit;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.Task;
import dev.stowage.iscsi.scsi.sense.SenseException;
import dev.stowage.iscsi.scsi.sense.SenseReason;
import dev.stowage.iscsi.scsi.spc.CopyResults;
import dev.stowage.iscsi.scsi.spc.Inquiry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (SPC-4 6.4, 6.27 with the SPC-3 LID1 formats): a
 * copy manager that copies blocks between the logical units of this target (block-to-block
 * segment descriptors 02h, identification descriptor copy targets E4h matched against each unit's
 * NAA or T10 vendor designator). The whole parameter list is checked before any block moves.
 * Segments run in order, synchronously; a segment that fails ends the command with COPY ABORTED
 * and the status held for RECEIVE COPY RESULTS says how many segments completed. Copies within one
 * unit move like memmove (overlap safe); each destination chunk is written under its range lock.
 * Stateless; results live in {@link CopyResults}.
 */
public final class ExtendedCopy {
    public static final int MAX_TARGET_DESCRIPTORS = 2;
    public static final int MAX_SEGMENT_DESCRIPTORS = 8;
    public static final int MAX_DESCRIPTOR_LIST_LENGTH = 1024;
    /** Largest number of bytes one segment may move. */
    public static final long MAX_SEGMENT_BYTES = 256L << 20;
    private static final int HEADER = 16;
    private static final int TARGET_DESCRIPTOR = 32;
    private static final int IDENTIFICATION_DESCRIPTOR = 0xe4;
    private static final int BLOCK_TO_BLOCK = 0x02;
    private static final int BLOCK_TO_BLOCK_LENGTH = 0x18;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int LIST_ID_USAGE_DISCARD = 2;
    private static final int LIST_ID_USAGE_NONE = 3;

    private ExtendedCopy() {
    }

    private record Segment(int source, int destination, long blocks, long sourceLba, long destinationLba) {
    }

    public static ScsiResponse extendedCopy(Task t) throws SenseException, DeviceException {
        long length = t.u32(10);
        if (length == 0) {
            return ScsiResponse.good();
        }
        if (length < HEADER) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        ByteBuffer p = t.parameterList((int) Math.min(length, Integer.MAX_VALUE));
        int listId = p.get(0) & 0xff;
        int usage = (p.get(1) >>> 3) & 0x3;
        int targetLength = p.getShort(2) & 0xffff;
        long segmentLength = p.getInt(8) & 0xffffffffL;
        long inlineLength = p.getInt(12) & 0xffffffffL;
        if (usage == 1 || (usage == LIST_ID_USAGE_NONE && listId != 0)) {
            throw SenseException.invalidParameterField(1, 4);
        }
        if (inlineLength != 0) {
            throw SenseException.invalidParameterField(12, -1);   // no inline data supported
        }
        if (HEADER + targetLength + segmentLength > length) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (targetLength + segmentLength > MAX_DESCRIPTOR_LIST_LENGTH) {
            throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (targetLength % TARGET_DESCRIPTOR != 0) {
            throw SenseException.invalidParameterField(2, -1);
        }
        if (targetLength / TARGET_DESCRIPTOR > MAX_TARGET_DESCRIPTORS) {
            throw SenseException.of(SenseReason.TOO_MANY_TARGET_DESCRIPTORS);
        }
        List<LogicalUnit> targets = new ArrayList<>();
        for (int off = HEADER; off < HEADER + targetLength; off += TARGET_DESCRIPTOR) {
            targets.add(copyTarget(t, p, off));
        }
        List<Segment> segments = new ArrayList<>();
        int off = HEADER + targetLength;
        int end = (int) (HEADER + targetLength + segmentLength);
        while (off < end) {
            if (segments.size() == MAX_SEGMENT_DESCRIPTORS) {
                throw SenseException.of(SenseReason.TOO_MANY_SEGMENT_DESCRIPTORS);
            }
            if (off + 4 > end) {
                throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
            }
            int type = p.get(off) & 0xff;
            int descLength = (p.getShort(off + 2) & 0xffff) + 4;
            if (type != BLOCK_TO_BLOCK) {
                throw SenseException.of(SenseReason.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE);
            }
            if (descLength != BLOCK_TO_BLOCK_LENGTH + 4) {
                throw SenseException.invalidParameterField(off + 2, -1);
            }
            if (off + descLength > end) {
                throw SenseException.of(SenseReason.PARAMETER_LIST_LENGTH_ERROR);
            }
            segments.add(new Segment(p.getShort(off + 4) & 0xffff, p.getShort(off + 6) & 0xffff,
                    p.getShort(off + 10) & 0xffff, p.getLong(off + 12), p.getLong(off + 20)));
            off += descLength;
        }
        return run(t, listId, usage, targets, segments);
    }

    /** Resolves an identification target descriptor to a unit of this target, or null when none matches. */
    private static LogicalUnit copyTarget(Task t, ByteBuffer p, int off) throws SenseException {
        int type = p.get(off) & 0xff;
        if (type != IDENTIFICATION_DESCRIPTOR) {
            throw SenseException.of(SenseReason.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE);
        }
        int peripheralType = p.get(off + 1) & 0x1f;
        if (peripheralType != 0) {
            throw SenseException.invalidParameterField(off + 1, 4);
        }
        int designatorType = p.get(off + 5) & 0x0f;
        int designatorLength = p.get(off + 7) & 0xff;
        if (designatorLength > 20) {
            throw SenseException.invalidParameterField(off + 7, -1);
        }
        byte[] designator = new byte[designatorLength];
        p.get(off + 8, designator);
        int blockLength = ((p.get(off + 29) & 0xff) << 16) | ((p.get(off + 30) & 0xff) << 8) | (p.get(off + 31) & 0xff);
        for (LogicalUnit lu : t.units()) {
            boolean match = switch (designatorType) {
                case 3 -> Arrays.equals(designator, lu.identity().naa());
                case 1 -> Arrays.equals(designator, Inquiry.t10Designator(lu.identity()));
                default -> false;
            };
            if (match) {
                if (blockLength != lu.device().blockSize()) {
                    throw SenseException.invalidParameterField(off + 29, -1);
                }
                return lu;
            }
        }
        return null;
    }

    private static ScsiResponse run(Task t, int listId, int usage, List<LogicalUnit> targets, List<Segment> segments)
            throws SenseException, DeviceException {
        // Check every segment before moving anything.
        for (Segment s : segments) {
            LogicalUnit src = target(targets, s.source());
            LogicalUnit dst = target(targets, s.destination());
            int bs = src.device().blockSize();
            if (s.blocks() * bs > MAX_SEGMENT_BYTES) {
                throw SenseException.of(SenseReason.COPY_ABORTED);
            }
            if (!fits(src, s.sourceLba(), s.blocks()) || !fits(dst, s.destinationLba(), s.blocks())) {
                throw SenseException.of(SenseReason.COPY_ABORTED);
            }
            if (src.reservations().conflicts(t.nexus(), Access.READ) || dst.reservations().conflicts(t.nexus(), Access.WRITE)) {
                return new ScsiResponse(ScsiResponse.RESERVATION_CONFLICT, null, null);
            }
            if (dst.writeProtected()) {
                throw SenseException.of(SenseReason.WRITE_PROTECTED);
            }
        }
        int done = 0;
        long bytes = 0;
        try {
            for (Segment s : segments) {
                bytes += copy(target(targets, s.source()), s.sourceLba(), target(targets, s.destination()),
                        s.destinationLba(), s.blocks());
                done++;
            }
        } catch (DeviceException e) {
            hold(t, listId, usage, new CopyResults.Status(true, done, bytes));
            throw SenseException.of(SenseReason.COPY_ABORTED);
        }
        hold(t, listId, usage, new CopyResults.Status(false, done, bytes));
        return ScsiResponse.good();
    }

    private static void hold(Task t, int listId, int usage, CopyResults.Status status) {
        if (usage != LIST_ID_USAGE_DISCARD && usage != LIST_ID_USAGE_NONE) {
            t.lu().copyResults().put(t.nexus(), listId, status);
        }
    }

    private static LogicalUnit target(List<LogicalUnit> targets, int index) throws SenseException {
        if (index >= targets.size() || targets.get(index) == null) {
            throw SenseException.of(SenseReason.UNREACHABLE_COPY_TARGET);
        }
        return targets.get(index);
    }

    private static boolean fits(LogicalUnit lu, long lba, long blocks) {
        long capacity = lu.device().blockCount();
        return lba >= 0 && lba <= capacity && blocks <= capacity - lba;
    }

    /** Copies in chunks; backwards when the ranges overlap with the destination after the source. */
    private static long copy(LogicalUnit src, long srcLba, LogicalUnit dst, long dstLba, long blocks) throws DeviceException {
        BlockDevice in = src.device();
        BlockDevice out = dst.device();
        int bs = in.blockSize();
        long perChunk = Math.max(1, CHUNK_BYTES / bs);
        boolean backwards = src == dst && dstLba > srcLba && dstLba < srcLba + blocks;
        ByteBuffer buf = ByteBuffer.allocate((int) (Math.min(perChunk, Math.max(blocks, 1)) * bs));
        long moved = 0;
        while (moved < blocks) {
            long n = Math.min(perChunk, blocks - moved);
            long offset = backwards ? blocks - moved - n : moved;
            buf.clear().limit((int) (n * bs));
            in.read(srcLba + offset, buf);
            buf.flip();
            try (RangeLocks.Range ignored = dst.rangeLocks().lock(dstLba + offset, n)) {
                out.write(dstLba + offset, buf, !dst.writeCacheEnabled() && out.volatileWriteCache());
            }
            moved += n;
        }
        return blocks * bs;
    }

    public static ScsiResponse copyStatus(Task t) throws SenseException {
        CopyResults.Status s = t.lu().copyResults().get(t.nexus(), t.u8(2));
        if (s == null) {
            throw SenseException.invalidCdbField(2, -1);
        }
        byte[] d = new byte[12];
        Bytes.putU32(d, 0, 8);
        d[4] = (byte) (s.completedWithErrors() ? 0x02 : 0x01);
        Bytes.putU16(d, 5, Math.min(s.segmentsProcessed(), 0xffff));
        long count = s.bytesTransferred();
        int units = 0;
        while (count > 0xffffffffL && units < 6) {
            count >>>= 10;
            units++;
        }
        d[7] = (byte) units;                                  // 0 bytes, 1 KiB, 2 MiB, ...
        Bytes.putU32(d, 8, count);
        return Task.dataIn(d, (int) Math.min(t.u32(10), Integer.MAX_VALUE));
    }

    public static ScsiResponse operatingParameters(Task t) throws SenseException {
        byte[] d = new byte[46];
        Bytes.putU32(d, 0, d.length - 4);
        d[4] = 0x01;                                          // SNLID: copies without a list identifier
        Bytes.putU16(d, 8, MAX_TARGET_DESCRIPTORS);
        Bytes.putU16(d, 10, MAX_SEGMENT_DESCRIPTORS);
        Bytes.putU32(d, 12, MAX_DESCRIPTOR_LIST_LENGTH);
        Bytes.putU32(d, 16, MAX_SEGMENT_BYTES);
        Bytes.putU32(d, 20, 0);                               // no inline data
        Bytes.putU32(d, 24, 0);                               // no held data
        Bytes.putU16(d, 34, 1);                               // total concurrent copies
        d[36] = 1;                                            // maximum concurrent copies
        d[37] = 9;                                            // data segment granularity 2^9 bytes
        d[43] = 2;                                            // implemented descriptor codes:
        d[44] = BLOCK_TO_BLOCK;
        d[45] = (byte) IDENTIFICATION_DESCRIPTOR;
        return Task.dataIn(d, (int) Math.min(t.u32(10), Integer.MAX_VALUE));
    }
}
