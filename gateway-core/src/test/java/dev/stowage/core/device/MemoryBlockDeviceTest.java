package dev.stowage.core.device;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryBlockDeviceTest {
    private static final int BS = 512;

    private static ByteBuffer filled(int bytes, int value) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    private static byte[] read(BlockDevice d, long lba, int blocks) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(blocks * d.blockSize());
        d.read(lba, b);
        assertThat(b.hasRemaining()).isFalse();
        return b.array();
    }

    @Test
    void writesAreReadBackAcrossChunkBoundaries() throws Exception {
        MemoryBlockDevice d = new MemoryBlockDevice(BS, 1000);
        long lba = MemoryBlockDevice.CHUNK_SIZE / BS - 1;          // last block of the first chunk
        d.write(lba, filled(3 * BS, 7), false);
        assertThat(read(d, lba, 3)).containsOnly(7);
        assertThat(read(d, lba - 1, 1)).containsOnly(0);
    }

    @Test
    void storageIsAllocatedOnlyForNonZeroDataAndFreedByUnmap() throws Exception {
        MemoryBlockDevice d = new MemoryBlockDevice(BS, 1 << 20);   // 512 MiB addressable
        assertThat(d.allocatedBytes()).isZero();
        d.write(0, filled(BS, 0), false);
        assertThat(d.allocatedBytes()).as("zeros need no memory").isZero();
        d.write(5000, filled(BS, 1), false);
        assertThat(d.allocatedBytes()).isEqualTo(MemoryBlockDevice.CHUNK_SIZE);
        assertThat(d.isMapped(5000)).isTrue();
        assertThat(d.isMapped(0)).isFalse();
        d.unmap(0, 1 << 20);
        assertThat(d.allocatedBytes()).isZero();
        assertThat(read(d, 5000, 1)).containsOnly(0);
    }

    @Test
    void partialUnmapZeroesOnlyTheRange() throws Exception {
        MemoryBlockDevice d = new MemoryBlockDevice(BS, 1000);
        d.write(0, filled(10 * BS, 3), false);
        d.unmap(2, 3);
        assertThat(read(d, 2, 3)).containsOnly(0);
        assertThat(read(d, 5, 5)).containsOnly(3);
        assertThat(read(d, 0, 2)).containsOnly(3);
    }

    @Test
    void writeSameRepeatsThePattern() throws Exception {
        MemoryBlockDevice d = new MemoryBlockDevice(4096, 1000);
        ByteBuffer pattern = ByteBuffer.allocate(4096);
        pattern.putInt(0, 0xcafebabe);
        d.writeSame(10, 300, pattern, false);
        for (long lba : new long[] {10, 150, 309}) {
            assertThat(ByteBuffer.wrap(read(d, lba, 1)).getInt(0)).isEqualTo(0xcafebabe);
        }
        assertThat(read(d, 310, 1)).containsOnly(0);
        assertThatThrownBy(() -> d.writeSame(0, 1, ByteBuffer.allocate(100), false))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.INVALID_ARGUMENT));
    }

    @Test
    void rangeAndShapeErrorsAreTyped() {
        MemoryBlockDevice d = new MemoryBlockDevice(BS, 10);
        assertThatThrownBy(() -> d.read(10, ByteBuffer.allocate(BS)))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.LBA_OUT_OF_RANGE));
        assertThatThrownBy(() -> d.write(0, ByteBuffer.allocate(100), false))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.INVALID_ARGUMENT));
        assertThatThrownBy(() -> d.unmap(5, 6))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.LBA_OUT_OF_RANGE));
    }

    @Test
    void readOnlyAndClosedDevicesRefuseWork() throws Exception {
        MemoryBlockDevice ro = new MemoryBlockDevice(BS, 10, true);
        assertThatThrownBy(() -> ro.write(0, ByteBuffer.allocate(BS), false))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.WRITE_PROTECTED));
        MemoryBlockDevice d = new MemoryBlockDevice(BS, 10);
        d.close();
        assertThatThrownBy(() -> d.read(0, ByteBuffer.allocate(BS)))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.NOT_READY));
    }

    @Test
    void resizeGrowsTheDeviceAndDropsDataPastANewEnd() throws Exception {
        MemoryBlockDevice d = new MemoryBlockDevice(BS, 1000);
        d.write(900, filled(BS, 9), false);
        d.resize(500);
        d.resize(1000);
        assertThat(read(d, 900, 1)).containsOnly(0);
        assertThat(d.blockCount()).isEqualTo(1000);
    }

    @Test
    void concurrentWritersToDistinctBlocksAllLand() throws Exception {
        MemoryBlockDevice d = new MemoryBlockDevice(BS, 4096);
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = Thread.ofPlatform().start(() -> {
                try {
                    for (int lba = id; lba < 4096; lba += threads.length) {
                        d.write(lba, filled(BS, id + 1), false);
                    }
                } catch (DeviceException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int lba = 0; lba < 4096; lba++) {
            assertThat(read(d, lba, 1)[0]).isEqualTo((byte) (lba % threads.length + 1));
        }
    }
}
