package dev.stowage.core.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileBlockDeviceTest {
    private static final int BS = 512;

    @TempDir
    Path dir;

    private static ByteBuffer filled(int bytes, int value) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    private static byte[] read(BlockDevice d, long lba, int blocks) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(blocks * d.blockSize());
        d.read(lba, b);
        return b.array();
    }

    @Test
    void createMakesASparseFileOfTheRequestedSize() throws Exception {
        Path f = dir.resolve("disk.img");
        try (FileBlockDevice d = FileBlockDevice.create(f, BS, 1 << 21)) {   // 1 GiB
            assertThat(Files.size(f)).isEqualTo(1L << 30);
            assertThat(d.blockCount()).isEqualTo(1 << 21);
            assertThat(read(d, 12345, 2)).containsOnly(0);
        }
        Object blocks = Files.getAttribute(f, "unix:size");
        assertThat(blocks).isEqualTo(1L << 30);
        assertThatThrownBy(() -> FileBlockDevice.create(f, BS, 10))
                .isInstanceOf(DeviceException.class).hasMessageContaining("already exists");
    }

    @Test
    void flushedDataIsReadableThroughANewInstance() throws Exception {
        Path f = dir.resolve("durable.img");
        FileBlockDevice d = FileBlockDevice.create(f, BS, 100);
        d.write(7, filled(2 * BS, 0x77), false);
        d.flush();
        d.write(20, filled(BS, 0x20), true);                 // FUA: durable without a flush
        try (FileBlockDevice again = FileBlockDevice.open(f, BS, true)) {
            assertThat(read(again, 7, 2)).containsOnly(0x77);
            assertThat(read(again, 20, 1)).containsOnly(0x20);
            assertThat(again.readOnly()).isTrue();
            assertThatThrownBy(() -> again.write(0, filled(BS, 1), false))
                    .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.WRITE_PROTECTED));
        }
        d.close();
        assertThatThrownBy(() -> d.read(0, ByteBuffer.allocate(BS)))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.NOT_READY));
    }

    @Test
    void unmapReadsBackZerosAndFreesSpaceWhereHolesAreSupported() throws Exception {
        Path f = dir.resolve("thin.img");
        try (FileBlockDevice d = FileBlockDevice.create(f, 4096, 1024)) {
            d.write(0, filled(1024 * 4096, 5), false);
            d.flush();
            d.unmap(100, 200);
            assertThat(read(d, 100, 200)).containsOnly(0);
            assertThat(read(d, 99, 1)).containsOnly(5);
            assertThat(read(d, 300, 1)).containsOnly(5);
            if (d.thinProvisioned()) {
                assertThat(d.isMapped(150)).isFalse();
                assertThat(d.isMapped(99)).isTrue();
            } else {
                assertThat(d.isMapped(150)).isTrue();
            }
        }
    }

    @Test
    void writeSameRepeatsThePatternAndZeroUnmapDeallocates() throws Exception {
        try (FileBlockDevice d = FileBlockDevice.create(dir.resolve("ws.img"), BS, 5000)) {
            d.writeSame(10, 3000, filled(BS, 0x33), false);
            assertThat(read(d, 10, 1)).containsOnly(0x33);
            assertThat(read(d, 3009, 1)).containsOnly(0x33);
            assertThat(read(d, 3010, 1)).containsOnly(0);
            d.writeSame(10, 3000, filled(BS, 0), true);
            assertThat(read(d, 10, 3000)).containsOnly(0);
        }
    }

    @Test
    void missingOrMisshapenFilesGiveClearErrors() throws Exception {
        assertThatThrownBy(() -> FileBlockDevice.open(dir.resolve("nope.img"), BS, false))
                .isInstanceOf(DeviceException.class).hasMessageContaining("does not exist");
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[1000]);
        assertThatThrownBy(() -> FileBlockDevice.open(odd, BS, false))
                .isInstanceOf(DeviceException.class).hasMessageContaining("not a positive multiple");
        Path empty = dir.resolve("empty.img");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> FileBlockDevice.open(empty, BS, false))
                .isInstanceOf(DeviceException.class).hasMessageContaining("0 bytes");
    }

    @Test
    void accessPastTheEndIsRefused() throws Exception {
        try (FileBlockDevice d = FileBlockDevice.create(dir.resolve("small.img"), BS, 10)) {
            assertThatThrownBy(() -> d.write(9, filled(2 * BS, 1), false))
                    .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.LBA_OUT_OF_RANGE));
            assertThatThrownBy(() -> d.read(0, ByteBuffer.allocate(100)))
                    .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.error()).isEqualTo(DeviceError.INVALID_ARGUMENT));
        }
    }
}
