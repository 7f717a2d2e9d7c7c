package dev.stowage.cache.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.ChunkId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dirty map's file: two alternating records, torn writes, damage, geometry checks, unfinished cuts. */
class DirtyMapTest {
    private static final int CHUNK = 64 * 1024;
    private static final long SIZE = 100L * CHUNK;

    @TempDir
    Path dir;

    private static ChunkId id(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return ChunkId.of(x);
    }

    @Test
    void marksBaseAndAnUnfinishedCutSurviveAReopen() throws IOException {
        try (DirtyMap m = DirtyMap.create(dir, CHUNK, SIZE, false, null)) {
            m.awaitDurable(m.markDirty(3, 5));
            m.awaitDurable(m.markDirty(99, 99));
            assertThat(m.markDirty(4, 4)).isZero(); // already dirty and durable: no write needed
            m.startCut();
            m.awaitDurable(m.markDirty(7, 7));
            m.awaitDurable(m.changes());
        }
        try (DirtyMap m = DirtyMap.open(dir, CHUNK, SIZE)) {
            assertThat(m.dirtyCount()).isEqualTo(5); // 3,4,5,99 from the unfinished cut, and 7
            m.startCut();
            m.completeCut(new DirtyMap.Base(id(9), 4));
        }
        try (DirtyMap m = DirtyMap.open(dir, CHUNK, SIZE)) {
            assertThat(m.dirtyCount()).isZero();
            assertThat(m.base()).isEqualTo(new DirtyMap.Base(id(9), 4));
        }
    }

    @Test
    void aSequentialWriterMarksAheadAndAScatteredOneDoesNot() throws IOException {
        try (DirtyMap m = DirtyMap.create(dir, CHUNK, SIZE, false, null)) {
            m.awaitDurable(m.markDirty(10, 10));
            m.awaitDurable(m.markDirty(20, 21));
            assertThat(m.dirtyCount()).isEqualTo(3);
            m.awaitDurable(m.markDirty(11, 11)); // continues chunk 10: 11 and the next MARK_AHEAD
            assertThat(m.dirtyCount()).isEqualTo(1 + 1 + DirtyMap.MARK_AHEAD);
            for (long c = 12; c <= 11 + DirtyMap.MARK_AHEAD; c++) {
                assertThat(m.markDirty(c, c)).as("chunk %d needs no new record", c).isZero();
            }
            m.awaitDurable(m.markDirty(95, 95));
            m.awaitDurable(m.markDirty(96, 96)); // marking ahead stops at the end of the volume
            assertThat(m.isDirty(99)).isTrue();
        }
    }

    @Test
    void aTornNewestRecordFallsBackToTheOlderOne() throws IOException {
        try (DirtyMap m = DirtyMap.create(dir, CHUNK, SIZE, false, null)) { // record 1 in slot 0
            m.awaitDurable(m.markDirty(10, 10));                             // record 2 in slot 1
            m.awaitDurable(m.markDirty(20, 20));                             // record 3 in slot 0
        }
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(DirtyMap.FILE).toFile(), "rw")) {
            f.seek(100);
            f.write(0x55); // slot 0 (the newest) damaged, as by a torn write
        }
        try (DirtyMap m = DirtyMap.open(dir, CHUNK, SIZE)) {
            assertThat(m.isDirty(10)).isTrue();
            assertThat(m.isDirty(20)).isFalse(); // that mark was never acknowledged as durable
        }
    }

    @Test
    void aMapWithoutAnyValidRecordMarksEverythingChanged() throws IOException {
        try (DirtyMap m = DirtyMap.create(dir, CHUNK, SIZE, false, new DirtyMap.Base(id(1), 2))) {
            m.awaitDurable(m.markDirty(1, 1));
        }
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(DirtyMap.FILE).toFile(), "rw")) {
            f.seek(100);
            f.write(1);
            f.seek(4096 + 100);
            f.write(1);
        }
        try (DirtyMap m = DirtyMap.open(dir, CHUNK, SIZE)) {
            assertThat(m.dirtyCount()).isEqualTo(100);
            assertThat(m.base()).isNull();
        }
        assertThatThrownBy(() -> DirtyMap.open(dir, CHUNK, 2 * SIZE)).isInstanceOf(IOException.class)
                .hasMessageContaining("was made for a volume of " + SIZE + " bytes");
    }
}
