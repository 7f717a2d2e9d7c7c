package dev.stowage.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Incremental PDU decoder: an explicit state machine fed with whatever bytes arrived.
 *
 * <pre>
 *   BHS (48 bytes) -> AHS (TotalAHSLength*4) -> HEADER_DIGEST (4, if negotiated)
 *       -> [check DataSegmentLength against the maximum, pick the data buffer]
 *       -> DATA (DataSegmentLength) -> PADDING (0..3) -> DATA_DIGEST (4, if negotiated) -> emit PDU
 *   any fatal error -> FAILED (every later call throws)
 * </pre>
 *
 * A DataSegmentLength above {@link #maxDataSegmentLength()} is rejected before anything is
 * allocated for it, so a hostile length field costs nothing. Data segments land in a buffer the
 * decoder reuses (grown up to the maximum, never beyond), or in a buffer supplied by
 * {@link SegmentBuffers} (e.g. straight into a write command's buffer). A decoded PDU's data is
 * therefore valid only until the next call to {@link #decode}.
 *
 * <p><b>Threading:</b> not thread-safe; one decoder per connection, used by its reader.
 * <b>Errors:</b> {@link PduFormatException}; non-fatal ones (data digest) leave the decoder ready
 * for the next PDU.
 */
public final class PduDecoder {

    /** Chooses where a data segment is read to. */
    @FunctionalInterface
    public interface SegmentBuffers {
        /**
         * @param bhs    the header of the PDU whose data is about to be read
         * @param length the data segment length (already checked against the maximum)
         * @return a buffer with exactly {@code length} bytes remaining, or null to use the decoder's own
         */
        ByteBuffer bufferFor(ByteBuffer bhs, int length);
    }

    private enum State { BHS, AHS, HEADER_DIGEST, DATA, PADDING, DATA_DIGEST, FAILED }

    private static final int INITIAL_SCRATCH = 8192;

    private final ByteBuffer bhs = ByteBuffer.allocate(Bhs.SIZE);
    private final ByteBuffer ahs = ByteBuffer.allocate(255 * 4);
    private final ByteBuffer digest = ByteBuffer.allocate(4);
    private final ByteBuffer padding = ByteBuffer.allocate(4);
    private final Digests crc = new Digests();
    private ByteBuffer scratch = ByteBuffer.allocate(0);
    private ByteBuffer data;
    private int dataStart;
    private int dataLength;
    private State state = State.BHS;
    private int maxDataSegmentLength;
    private boolean headerDigest;
    private boolean dataDigest;
    private SegmentBuffers segmentBuffers = (h, l) -> null;

    /**
     * @param maxDataSegmentLength largest data segment accepted (our MaxRecvDataSegmentLength;
     *                             8192 during login)
     */
    public PduDecoder(int maxDataSegmentLength) {
        setMaxDataSegmentLength(maxDataSegmentLength);
    }

    public int maxDataSegmentLength() {
        return maxDataSegmentLength;
    }

    public void setMaxDataSegmentLength(int max) {
        if (max < 0 || max > 0xffffff) {
            throw new IllegalArgumentException("maximum data segment length out of range: " + max);
        }
        this.maxDataSegmentLength = max;
    }

    /** Switches digests on or off; takes effect with the next PDU. */
    public void setDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    public void setSegmentBuffers(SegmentBuffers buffers) {
        this.segmentBuffers = buffers == null ? (h, l) -> null : buffers;
    }

    /** Capacity of the decoder's own data buffer: never above the maximum segment length. */
    int scratchCapacity() {
        return scratch.capacity();
    }

    /** True between PDUs (no partial PDU buffered). */
    public boolean idle() {
        return state == State.BHS && bhs.position() == 0;
    }

    /**
     * Consumes bytes from {@code in} and returns the next complete PDU, or null when {@code in}
     * ran out first (call again with more bytes; partial state is kept).
     */
    public Pdu decode(ByteBuffer in) throws PduFormatException {
        while (true) {
            switch (state) {
                case FAILED -> throw new PduFormatException(PduFormatException.Kind.INVALID_FIELD,
                        "decoder stopped after a fatal framing error");
                case BHS -> {
                    if (!fill(in, bhs)) {
                        return null;
                    }
                    ahs.clear().limit(Bhs.ahsLength(bhs));
                    state = State.AHS;
                }
                case AHS -> {
                    if (!fill(in, ahs)) {
                        return null;
                    }
                    digest.clear();
                    state = headerDigest ? State.HEADER_DIGEST : State.DATA;
                    if (!headerDigest) {
                        startData();
                    }
                }
                case HEADER_DIGEST -> {
                    if (!fill(in, digest)) {
                        return null;
                    }
                    crc.reset();
                    crc.update(bhs.duplicate().flip());
                    crc.update(ahs.duplicate().flip());
                    if (crc.value() != Digests.readWire(digest, 0)) {
                        state = State.FAILED;
                        throw new PduFormatException(PduFormatException.Kind.HEADER_DIGEST, "header digest mismatch",
                                headerCopy());
                    }
                    startData();
                }
                case DATA -> {
                    if (!fill(in, data)) {
                        return null;
                    }
                    padding.clear().limit(Bhs.padding(dataLength));
                    state = State.PADDING;
                }
                case PADDING -> {
                    if (!fill(in, padding)) {
                        return null;
                    }
                    digest.clear();
                    state = dataDigest && dataLength > 0 ? State.DATA_DIGEST : State.BHS;
                    if (state == State.BHS) {
                        return emit();
                    }
                }
                case DATA_DIGEST -> {
                    if (!fill(in, digest)) {
                        return null;
                    }
                    crc.reset();
                    crc.update(dataView());
                    crc.update(padding.duplicate().flip());
                    state = State.BHS;
                    if (crc.value() != Digests.readWire(digest, 0)) {
                        ByteBuffer header = headerCopy();
                        bhs.clear();
                        throw new PduFormatException(PduFormatException.Kind.DATA_DIGEST, "data digest mismatch", header);
                    }
                    return emit();
                }
            }
        }
    }

    private void startData() throws PduFormatException {
        dataLength = Bhs.dataSegmentLength(bhs);
        if (dataLength > maxDataSegmentLength) {
            state = State.FAILED;
            throw new PduFormatException(PduFormatException.Kind.DATA_SEGMENT_TOO_LONG,
                    "DataSegmentLength " + dataLength + " exceeds MaxRecvDataSegmentLength " + maxDataSegmentLength,
                    headerCopy());
        }
        ByteBuffer supplied = dataLength == 0 ? null : segmentBuffers.bufferFor(bhs.duplicate(), dataLength);
        if (supplied != null && supplied.remaining() == dataLength) {
            data = supplied.slice();
        } else {
            if (scratch.capacity() < dataLength) {
                int size = Math.max(INITIAL_SCRATCH, Integer.highestOneBit(dataLength - 1) << 1);
                scratch = ByteBuffer.allocate(Math.min(size, Math.max(maxDataSegmentLength, dataLength)));
            }
            data = scratch.clear().limit(dataLength).slice();
        }
        dataStart = 0;
        state = State.DATA;
    }

    private ByteBuffer dataView() {
        return data.duplicate().position(dataStart).limit(dataLength);
    }

    private Pdu emit() throws PduFormatException {
        ByteBuffer header = bhs.duplicate().flip();
        ByteBuffer extra = ahs.duplicate().flip();
        ByteBuffer segment = dataLength == 0 ? Pdu.EMPTY : dataView();
        bhs.clear();
        try {
            return PduParser.parse(header, extra, segment);
        } catch (PduFormatException e) {
            ByteBuffer copy = ByteBuffer.allocate(Bhs.SIZE);
            copy.put(0, header, 0, Bhs.SIZE);
            throw e.withHeader(copy);
        }
    }

    private ByteBuffer headerCopy() {
        ByteBuffer copy = ByteBuffer.allocate(Bhs.SIZE);
        copy.put(0, bhs, 0, Bhs.SIZE);
        return copy;
    }

    /** Copies from {@code in} into {@code target} until target is full; true when full. */
    private static boolean fill(ByteBuffer in, ByteBuffer target) {
        int n = Math.min(in.remaining(), target.remaining());
        if (n > 0) {
            target.put(target.position(), in, in.position(), n);
            target.position(target.position() + n);
            in.position(in.position() + n);
        }
        return !target.hasRemaining();
    }
}
