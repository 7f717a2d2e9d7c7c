package dev.stowage.iscsi.scsi;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads drive the target at once: each owns a region it writes and reads against its own
 * oracle, and all of them increment shared two-block counters with read + COMPARE AND WRITE. No
 * read may disagree with the oracle and no increment may be lost or torn.
 */
class ConcurrentOracleTest {
    private static final int BS = ScsiHarness.BS;
    private static final int THREADS = 6;
    private static final int REGION = 64;            // blocks owned by each thread
    private static final int COUNTERS = 2;           // shared counters, 2 blocks each
    private static final int COUNTER_BASE = THREADS * REGION;
    private static final int ROUNDS = 400;

    private final ScsiHarness h = new ScsiHarness(COUNTER_BASE + 2 * COUNTERS);

    @Test
    void readsMatchTheOracleAndNoCompareAndWriteIsLost() throws Exception {
        h.device.readDelayNanos(20_000);             // widen the compare-to-write window
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicLong increments = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            ItNexus nexus = id % 2 == 0 ? ScsiHarness.A : ScsiHarness.B;
            threads.add(Thread.ofPlatform().start(() -> work(id, nexus, problems, increments)));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(problems).isEmpty();
        long total = 0;
        for (int c = 0; c < COUNTERS; c++) {
            byte[] d = h.run(Cdb.read10(COUNTER_BASE + 2L * c, 2)).good().data();
            long first = ByteBuffer.wrap(d).getLong(0);
            long second = ByteBuffer.wrap(d).getLong(BS);
            assertThat(second).as("both blocks of counter %d", c).isEqualTo(first);
            total += first;
        }
        assertThat(total).isEqualTo(increments.get());
        assertThat(increments.get()).isPositive();
        assertThat(h.target.unit(0).rangeLocks().heldCount()).isZero();
    }

    private void work(int id, ItNexus nexus, ConcurrentLinkedQueue<String> problems, AtomicLong increments) {
        Random rnd = new Random(id * 7919L);
        long base = (long) id * REGION;
        byte[] oracle = new byte[REGION * BS];
        for (int round = 0; round < ROUNDS && problems.isEmpty(); round++) {
            int op = rnd.nextInt(4);
            int off = rnd.nextInt(REGION);
            int len = 1 + rnd.nextInt(Math.min(8, REGION - off));
            if (op == 0) {
                byte[] data = new byte[len * BS];
                rnd.nextBytes(data);
                ScsiResponse r = run(nexus, Cdb.write16(base + off, len), data);
                if (r.status() != ScsiResponse.GOOD) {
                    problems.add("write failed: " + r.status());
                }
                System.arraycopy(data, 0, oracle, off * BS, data.length);
            } else if (op == 1) {
                ScsiResponse r = run(nexus, Cdb.read10(base + off, len), null);
                byte[] got = new byte[r.dataIn().remaining()];
                r.dataIn().get(got);
                if (!Arrays.equals(got, Arrays.copyOfRange(oracle, off * BS, (off + len) * BS))) {
                    problems.add("thread " + id + " read of " + (base + off) + "+" + len + " differs from the oracle");
                }
            } else {
                // ops 2 and 3: half of all operations contend on the shared counters
                increment(nexus, rnd.nextInt(COUNTERS), problems, increments);
            }
        }
    }

    private void increment(ItNexus nexus, int counter, ConcurrentLinkedQueue<String> problems, AtomicLong increments) {
        long lba = COUNTER_BASE + 2L * counter;
        for (int attempt = 0; attempt < 1000; attempt++) {
            ScsiResponse read = run(nexus, Cdb.read10(lba, 2), null);
            byte[] current = new byte[2 * BS];
            read.dataIn().get(current);
            long value = ByteBuffer.wrap(current).getLong(0);
            byte[] buf = new byte[4 * BS];
            System.arraycopy(current, 0, buf, 0, 2 * BS);
            ByteBuffer next = ByteBuffer.wrap(buf);
            next.putLong(2 * BS, value + 1);
            next.putLong(3 * BS, value + 1);
            ScsiResponse r = run(nexus, Cdb.compareAndWrite(lba, 2), buf);
            if (r.status() == ScsiResponse.GOOD) {
                increments.incrementAndGet();
                return;
            }
            if (r.status() != ScsiResponse.CHECK_CONDITION || (r.sense()[2] & 0x0f) != 0x0e) {
                problems.add("compare and write failed with status " + r.status());
                return;
            }
            // Miscompare: another thread won (or the read saw a half-done update); retry.
        }
        problems.add("compare and write never succeeded");
    }

    private ScsiResponse run(ItNexus nexus, byte[] cdb, byte[] data) {
        ScsiCommand cmd = new ScsiCommand(0, Thread.currentThread().threadId(), cdb, ScsiCommand.TaskAttribute.SIMPLE,
                Cdb.wrap(data), 65536);
        return h.target.execute(nexus, cmd);
    }
}
