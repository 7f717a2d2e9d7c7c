package dev.stowage.iscsi.pdu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds the decoder mutated and random byte streams in random slices (fixed seed, bounded
 * iterations). The decoder may only return PDUs or throw {@link PduFormatException}; it never
 * throws anything else and never grows its buffer beyond the maximum segment length.
 */
class PduDecoderFuzzTest {
    private static final int MAX = 8192;

    @Test
    void mutatedStreamsNeverEscapeTheFormatException() {
        Random random = new Random(0x15c51);
        List<Pdu> samples = PduCodecTest.samples();
        int pdus = 0;
        int errors = 0;
        for (int iteration = 0; iteration < 3000; iteration++) {
            boolean digests = random.nextBoolean();
            PduEncoder enc = new PduEncoder();
            enc.setDigests(digests, digests);
            ByteBuffer stream = ByteBuffer.allocate(64 * 1024);
            int count = 1 + random.nextInt(4);
            for (int k = 0; k < count; k++) {
                ByteBuffer one = enc.encodeToBuffer(samples.get(random.nextInt(samples.size())));
                if (stream.remaining() >= one.remaining()) {
                    stream.put(one);
                }
            }
            stream.flip();
            mutate(random, stream);
            PduDecoder dec = new PduDecoder(MAX);
            dec.setDigests(digests, digests);
            try {
                while (stream.hasRemaining()) {
                    int slice = Math.min(stream.remaining(), 1 + random.nextInt(200));
                    ByteBuffer part = stream.slice(stream.position(), slice);
                    stream.position(stream.position() + slice);
                    while (part.hasRemaining()) {
                        Pdu p = decodeOrNull(dec, part);
                        if (p == null) {
                            break;
                        }
                        pdus++;
                        assertThat(p.data().remaining()).isLessThanOrEqualTo(MAX);
                    }
                }
            } catch (PduFormatException e) {
                errors++;
            }
            assertThat(dec.scratchCapacity()).isLessThanOrEqualTo(MAX);
        }
        assertThat(pdus).as("some PDUs survive mutation").isPositive();
        assertThat(errors).as("some mutations are caught").isPositive();
    }

    @Test
    void randomBytesNeverEscapeTheFormatException() {
        Random random = new Random(42);
        for (int iteration = 0; iteration < 2000; iteration++) {
            byte[] junk = new byte[random.nextInt(600)];
            random.nextBytes(junk);
            PduDecoder dec = new PduDecoder(MAX);
            ByteBuffer in = ByteBuffer.wrap(junk);
            try {
                while (in.hasRemaining() && decodeOrNull(dec, in) != null) {
                    // keep decoding
                }
            } catch (PduFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
            assertThat(dec.scratchCapacity()).isLessThanOrEqualTo(MAX);
        }
    }

    private static Pdu decodeOrNull(PduDecoder dec, ByteBuffer in) throws PduFormatException {
        return dec.decode(in);
    }

    private static void mutate(Random random, ByteBuffer stream) {
        int kind = random.nextInt(5);
        int n = stream.limit();
        switch (kind) {
            case 0 -> {     // flip random bytes
                for (int i = 0; i < 1 + random.nextInt(6); i++) {
                    int at = random.nextInt(n);
                    stream.put(at, (byte) random.nextInt(256));
                }
            }
            case 1 -> stream.limit(random.nextInt(n + 1));             // truncate
            case 2 -> Bhs.putU24(stream, 5, random.nextInt(1 << 24));  // hostile length
            case 3 -> stream.put(0, (byte) random.nextInt(64));        // random opcode
            default -> stream.put(4, (byte) random.nextInt(256));      // random AHS length
        }
    }
}
