package dev.stowage.iscsi.testing;

import dev.stowage.iscsi.scsi.ItNexus;
import dev.stowage.iscsi.scsi.ScsiCommand;
import dev.stowage.iscsi.scsi.ScsiResponse;
import dev.stowage.iscsi.scsi.ScsiTarget;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of {@link ScsiTarget}: LUN 0 is a RAM disk of 512-byte blocks understanding only
 * TEST UNIT READY, READ(10) and WRITE(10); opcode 0xC0 blocks until {@link #release()} or an
 * ABORT TASK (to test task management); anything else is CHECK CONDITION ILLEGAL REQUEST / INVALID COMMAND OPERATION
 * CODE. Records nexus and task-management calls. Thread-safe.
 */
public final class FakeScsiTarget implements ScsiTarget {
    public static final int BLOCK = 512;
    public static final int BLOCKING_OPCODE = 0xc0;

    private final byte[] disk;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch blockedStarted = new CountDownLatch(1);
    public final Set<ItNexus> nexuses = ConcurrentHashMap.newKeySet();
    public final AtomicInteger aborts = new AtomicInteger();
    public final AtomicInteger resets = new AtomicInteger();
    public final AtomicInteger executed = new AtomicInteger();

    public FakeScsiTarget(int blocks) {
        this.disk = new byte[blocks * BLOCK];
    }

    /** Lets blocked commands finish. */
    public void release() {
        gate.countDown();
    }

    /** Waits until a blocking command has started (bounded). */
    public boolean awaitBlocked() throws InterruptedException {
        return blockedStarted.await(10, TimeUnit.SECONDS);
    }

    @Override
    public List<Long> luns() {
        return List.of(0L);
    }

    @Override
    public ScsiResponse execute(ItNexus nexus, ScsiCommand command) {
        executed.incrementAndGet();
        if (command.lun() != 0) {
            return check(0x05, 0x25);
        }
        byte[] cdb = command.cdb();
        switch (command.opcode()) {
            case 0x00 -> {
                return ScsiResponse.good();
            }
            case 0x28 -> {
                long lba = ByteBuffer.wrap(cdb, 2, 4).getInt() & 0xffffffffL;
                int blocks = ((cdb[7] & 0xff) << 8) | (cdb[8] & 0xff);
                if ((lba + blocks) * BLOCK > disk.length) {
                    return check(0x05, 0x21);
                }
                byte[] out = new byte[blocks * BLOCK];
                synchronized (disk) {
                    System.arraycopy(disk, (int) lba * BLOCK, out, 0, out.length);
                }
                return ScsiResponse.good(ByteBuffer.wrap(out));
            }
            case 0x2a -> {
                long lba = ByteBuffer.wrap(cdb, 2, 4).getInt() & 0xffffffffL;
                int blocks = ((cdb[7] & 0xff) << 8) | (cdb[8] & 0xff);
                ByteBuffer data = command.dataOut();
                if ((lba + blocks) * BLOCK > disk.length) {
                    return check(0x05, 0x21);
                }
                if (data == null || data.remaining() < blocks * BLOCK) {
                    return check(0x05, 0x0e);
                }
                synchronized (disk) {
                    data.duplicate().get(disk, (int) lba * BLOCK, blocks * BLOCK);
                }
                return ScsiResponse.good();
            }
            case BLOCKING_OPCODE -> {
                blockedStarted.countDown();
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ScsiResponse.good();
            }
            default -> {
                return check(0x05, 0x20);
            }
        }
    }

    private static ScsiResponse check(int key, int asc) {
        byte[] sense = new byte[18];
        sense[0] = 0x70;
        sense[2] = (byte) key;
        sense[7] = 10;
        sense[12] = (byte) asc;
        return new ScsiResponse(ScsiResponse.CHECK_CONDITION, null, sense);
    }

    @Override
    public void abortTask(ItNexus nexus, long lun, long taskTag) {
        aborts.incrementAndGet();
        gate.countDown();       // an aborted blocking command stops waiting
    }

    @Override
    public void abortTaskSet(ItNexus nexus, long lun) {
        aborts.incrementAndGet();
    }

    @Override
    public void lunReset(ItNexus requester, long lun) {
        resets.incrementAndGet();
    }

    @Override
    public void targetReset(ItNexus requester) {
        resets.incrementAndGet();
    }

    @Override
    public void nexusAdded(ItNexus nexus) {
        nexuses.add(nexus);
    }

    @Override
    public void nexusRemoved(ItNexus nexus) {
        nexuses.remove(nexus);
    }

    /** READ(10) / WRITE(10) CDBs. */
    public static byte[] rw10(int opcode, long lba, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        ByteBuffer.wrap(cdb).putInt(2, (int) lba);
        cdb[7] = (byte) (blocks >> 8);
        cdb[8] = (byte) blocks;
        return cdb;
    }
}
