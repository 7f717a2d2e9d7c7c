package dev.stowage.iscsi.pdu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PduCodecTest {

    private static ByteBuffer bytes(int n, int seed) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i * 31 + seed));
        }
        return b.flip();
    }

    static List<Pdu> samples() {
        byte[] cdb = new byte[16];
        cdb[0] = 0x28;
        byte[] longCdb = new byte[32];
        longCdb[0] = 0x7f;
        longCdb[31] = 9;
        return List.of(
                new NopOut(true, 5L << 48, 7, -1, 11, 12, bytes(5, 1)),
                new ScsiCommandPdu(false, true, true, false, 1, 3L << 48, 99, 4096, 100, 200, cdb, null),
                new ScsiCommandPdu(false, false, false, true, 2, 0, 98, 8192, 101, 201, longCdb, bytes(1024, 2)),
                new TaskMgmtRequest(true, TaskMgmtRequest.ABORT_TASK, 0, 5, 6, 7, 8, 9, 10),
                new LoginRequest(true, false, 1, 3, 0, 0, 0x23d000001L, 0, 1, 2, 3, 4, bytes(17, 3)),
                new TextRequest(false, true, false, 0, 1, -1, 5, 6, bytes(9, 4)),
                new DataOut(true, 0, 1, 2, 3, 4, 5, bytes(513, 5)),
                new LogoutRequest(true, 0, 3, 1, 7, 8),
                new SnackRequest(1, 0, 1, 2, 3, 4, 5),
                new NopIn(0, 1, -1, 2, 3, 4, bytes(3, 6)),
                new ScsiResponsePdu(ScsiResponsePdu.UNDERFLOW, 0, 2, 1, 0, 2, 3, 4, 5, 0, 512,
                        ScsiResponsePdu.senseSegment(new byte[18])),
                new TaskMgmtResponse(5, 1, 2, 3, 4),
                new LoginResponse(true, false, 1, 3, 0, 0, 0x23d000001L, 9, 1, 2, 3, 4, 0, 0, bytes(30, 7)),
                new TextResponse(true, false, 0, 1, -1, 2, 3, 4, bytes(10, 8)),
                new DataIn(true, false, ScsiResponsePdu.OVERFLOW, true, 0, 0, 1, -1, 2, 3, 4, 0, 0, 100, bytes(4096, 9)),
                new LogoutResponse(0, 1, 2, 3, 4, 2, 20),
                new R2t(0, 1, 2, 3, 4, 5, 6, 7, 8),
                new AsyncMessage(0, 1, 2, 3, AsyncMessage.EVENT_LOGOUT_REQUEST, 0, 0, 5, 0, null),
                new Reject(Reject.PROTOCOL_ERROR, 1, 2, 3, 0, bytes(48, 10)));
    }

    private static void assertSame(Pdu expected, Pdu actual) {
        ByteBuffer a = ByteBuffer.allocate(48);
        ByteBuffer b = ByteBuffer.allocate(48);
        expected.writeHeader(a);
        actual.writeHeader(b);
        assertThat(b.array()).as(expected.opcode() + " header").isEqualTo(a.array());
        assertThat(actual.data()).as(expected.opcode() + " data").isEqualTo(expected.data());
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
    }

    @Test
    void everyPduTypeSurvivesARoundTrip() throws Exception {
        for (boolean digests : new boolean[]{false, true}) {
            PduEncoder enc = new PduEncoder();
            enc.setDigests(digests, digests);
            PduDecoder dec = new PduDecoder(0xffffff);
            dec.setDigests(digests, digests);
            for (Pdu pdu : samples()) {
                ByteBuffer wire = enc.encodeToBuffer(pdu);
                assertThat(wire.remaining() % 4).isZero();
                Pdu back = dec.decode(wire);
                assertThat(back).isNotNull();
                assertSame(pdu, back);
                assertThat(wire.hasRemaining()).isFalse();
                assertThat(dec.idle()).isTrue();
            }
        }
    }

    @Test
    void extendedCdbTravelsInAnAhs() throws Exception {
        byte[] cdb = new byte[24];
        for (int i = 0; i < cdb.length; i++) {
            cdb[i] = (byte) (i + 1);
        }
        ScsiCommandPdu pdu = new ScsiCommandPdu(false, true, false, false, 1, 0, 1, 0, 1, 1, cdb, null);
        ByteBuffer wire = new PduEncoder().encodeToBuffer(pdu);
        assertThat(wire.get(4)).as("TotalAHSLength in words").isEqualTo((byte) 3);
        ScsiCommandPdu back = (ScsiCommandPdu) new PduDecoder(8192).decode(wire);
        assertThat(back.cdb()).isEqualTo(cdb);
    }

    @Test
    void pdusSplitAtEveryByteBoundaryDecodeTheSame() throws Exception {
        PduEncoder enc = new PduEncoder();
        enc.setDigests(true, true);
        ByteBuffer stream = ByteBuffer.allocate(64 * 1024);
        for (Pdu pdu : samples()) {
            stream.put(enc.encodeToBuffer(pdu));
        }
        stream.flip();
        PduDecoder dec = new PduDecoder(0xffffff);
        dec.setDigests(true, true);
        List<Pdu> expected = samples();
        int decoded = 0;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (stream.hasRemaining()) {
            one.clear();
            one.put(stream.get()).flip();
            Pdu p = dec.decode(one);
            assertThat(one.hasRemaining()).isFalse();
            if (p != null) {
                assertSame(expected.get(decoded++), p);   // data is valid until the next decode call
            }
        }
        assertThat(decoded).isEqualTo(expected.size());
    }

    @Test
    void dataSegmentIsPaddedToFourBytes() {
        ByteBuffer wire = new PduEncoder().encodeToBuffer(new NopIn(0, 1, -1, 0, 0, 0, bytes(5, 0)));
        assertThat(wire.remaining()).isEqualTo(48 + 8);
        assertThat(Bhs.dataSegmentLength(wire)).isEqualTo(5);
        assertThat(wire.get(48 + 5)).isZero();
        assertThat(wire.get(48 + 7)).isZero();
    }

    @Test
    void crc32cMatchesTheRfcVectorAndTravelsLittleEndian() {
        // RFC 3720 appendix B.4: 32 bytes of zeros give CRC32C 0x8a9136aa, sent as aa 36 91 8a.
        Digests d = new Digests();
        assertThat(d.of(ByteBuffer.allocate(32))).isEqualTo(0x8a9136aa);
        ByteBuffer wire = ByteBuffer.allocate(4);
        Digests.writeWire(wire, 0, 0x8a9136aa);
        assertThat(HexFormat.of().formatHex(wire.array())).isEqualTo("aa36918a");
    }

    @Test
    void oversizedDataSegmentIsRejectedFromTheHeaderAlone() {
        PduDecoder dec = new PduDecoder(8192);
        ByteBuffer header = new PduEncoder().encodeToBuffer(new NopOut(true, 0, 1, -1, 1, 1, null));
        Bhs.putU24(header, 5, 0xffffff);   // hostile length: 16 MiB
        assertThatThrownBy(() -> dec.decode(header))
                .isInstanceOfSatisfying(PduFormatException.class, e -> {
                    assertThat(e.kind()).isEqualTo(PduFormatException.Kind.DATA_SEGMENT_TOO_LONG);
                    assertThat(e.fatal()).isTrue();
                    assertThat(e.header().remaining()).isEqualTo(48);
                });
        assertThatThrownBy(() -> dec.decode(ByteBuffer.allocate(4))).isInstanceOf(PduFormatException.class);
    }

    @Test
    void headerDigestMismatchIsFatal() {
        PduEncoder enc = new PduEncoder();
        enc.setDigests(true, false);
        ByteBuffer wire = enc.encodeToBuffer(new NopOut(true, 0, 1, -1, 1, 1, null));
        wire.put(20, (byte) 0x55);
        PduDecoder dec = new PduDecoder(8192);
        dec.setDigests(true, false);
        assertThatThrownBy(() -> dec.decode(wire)).isInstanceOfSatisfying(PduFormatException.class,
                e -> assertThat(e.kind()).isEqualTo(PduFormatException.Kind.HEADER_DIGEST));
    }

    @Test
    void dataDigestMismatchLosesOnlyThatPdu() throws Exception {
        PduEncoder enc = new PduEncoder();
        enc.setDigests(false, true);
        ByteBuffer first = enc.encodeToBuffer(new NopOut(true, 0, 1, -1, 1, 1, bytes(8, 1)));
        first.put(50, (byte) (first.get(50) ^ 1));
        ByteBuffer second = enc.encodeToBuffer(new NopOut(true, 0, 2, -1, 1, 1, bytes(8, 1)));
        ByteBuffer stream = ByteBuffer.allocate(first.remaining() + second.remaining()).put(first).put(second).flip();
        PduDecoder dec = new PduDecoder(8192);
        dec.setDigests(false, true);
        assertThatThrownBy(() -> dec.decode(stream)).isInstanceOfSatisfying(PduFormatException.class, e -> {
            assertThat(e.kind()).isEqualTo(PduFormatException.Kind.DATA_DIGEST);
            assertThat(e.fatal()).isFalse();
        });
        Pdu next = dec.decode(stream);
        assertThat(next.initiatorTaskTag()).isEqualTo(2);
    }

    @Test
    void undefinedOpcodeBecomesUnknownPduWithItsHeader() throws Exception {
        ByteBuffer wire = new PduEncoder().encodeToBuffer(new NopOut(false, 0, 1, -1, 1, 1, bytes(4, 0)));
        wire.put(0, (byte) 0x1c);
        Pdu p = new PduDecoder(8192).decode(wire);
        assertThat(p).isInstanceOfSatisfying(UnknownPdu.class, u -> {
            assertThat(u.code()).isEqualTo(0x1c);
            assertThat(u.data().remaining()).isEqualTo(4);
        });
    }

    @Test
    void dataLandsInTheSuppliedBuffer() throws Exception {
        byte[] target = new byte[1024];
        PduDecoder dec = new PduDecoder(8192);
        dec.setSegmentBuffers((bhs, len) -> ByteBuffer.wrap(target, 100, len));
        ByteBuffer payload = bytes(200, 3);
        dec.decode(new PduEncoder().encodeToBuffer(new DataOut(true, 0, 1, 2, 3, 0, 100, payload)));
        assertThat(ByteBuffer.wrap(target, 100, 200)).isEqualTo(payload);
    }

    @Test
    void lunEncodingRoundTrips() {
        for (long lun : new long[]{0, 1, 255, 256, 16383}) {
            assertThat(Bhs.decodeLun(Bhs.encodeLun(lun))).isEqualTo(lun);
        }
        assertThat(Bhs.encodeLun(5)).isEqualTo(0x0005_0000_0000_0000L);
        assertThat(Bhs.encodeLun(300)).isEqualTo(0x412c_0000_0000_0000L);
    }
}
