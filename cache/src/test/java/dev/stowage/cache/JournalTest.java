package dev.stowage.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.core.chunk.ChunkId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    private static final int SLOT = 64 * 1024;

    @TempDir
    Path dir;

    private FileChannel data() throws IOException {
        return FileChannel.open(dir.resolve("data"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    private List<JournalRecord> reopen(FileChannel data) throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        Journal.open(dir.resolve("journal"), data, SLOT, 8, 0, out).close();
        return out;
    }

    @Test
    void recordsRoundTripAndADamagedRecordEndsTheJournalThere() throws Exception {
        ChunkId root = ChunkId.of(new byte[32]);
        List<JournalRecord> written = List.of(
                new JournalRecord.Volume(1, 1 << 30, SLOT, "vol-1"),
                new JournalRecord.Commit(1, 4, root),
                new JournalRecord.Write(3, 1, 77, 9, 5, 2, false),
                new JournalRecord.Zero(1, 12, 10),
                new JournalRecord.Clean(3, 1, 77, 9),
                new JournalRecord.Slot(2, 1, 78, 11, new byte[] {1, 2, 3}));
        long offsetOfFourth;
        try (FileChannel data = data()) {
            List<JournalRecord> none = new ArrayList<>();
            try (Journal j = Journal.open(dir.resolve("journal"), data, SLOT, 8, 1234, none)) {
                assertThat(none).isEmpty();
                for (JournalRecord r : written.subList(0, 3)) {
                    j.append(r);
                }
                offsetOfFourth = j.size();
                for (JournalRecord r : written.subList(3, 6)) {
                    j.append(r);
                }
                j.syncAll();
            }
            List<JournalRecord> back = reopen(data);
            assertThat(back).hasSize(6);
            assertThat(back.subList(0, 5)).containsExactlyElementsOf(written.subList(0, 5));
            assertThat(((JournalRecord.Slot) back.get(5)).validBitmap()).containsExactly(1, 2, 3);

            try (RandomAccessFile f = new RandomAccessFile(dir.resolve("journal").toFile(), "rw")) {
                f.seek(offsetOfFourth + 7); // inside the fourth record's payload
                int b = f.read();
                f.seek(offsetOfFourth + 7);
                f.write(b ^ 1);
            }
            assertThat(reopen(data)).containsExactlyElementsOf(written.subList(0, 3));
            assertThat(Files.size(dir.resolve("journal"))).isEqualTo(offsetOfFourth); // truncated there
        }
    }

    @Test
    void aDamagedHeaderOrOtherFormatIsRefusedWithAClearMessage() throws Exception {
        try (FileChannel data = data()) {
            reopen(data);
            byte[] bytes = Files.readAllBytes(dir.resolve("journal"));
            bytes[20] ^= 1; // slot count, covered by the header checksum
            Files.write(dir.resolve("journal"), bytes);
            assertThatThrownBy(() -> reopen(data)).hasMessageContaining("header checksum mismatch");
            Files.write(dir.resolve("journal"), "not a journal at all, just some text long enough for a header ..."
                    .getBytes());
            assertThatThrownBy(() -> reopen(data)).hasMessageContaining("not a Stowage cache journal");
        }
    }

    @Test
    void replayFollowsVersionsSlotsAndZeros() {
        JournalReplay r = new JournalReplay(SLOT);
        r.apply(new JournalRecord.Volume(1, 1 << 30, SLOT, "v"));
        r.apply(new JournalRecord.Write(0, 1, 5, 1, 0, 4, false)); // chunk 5 in slot 0
        r.apply(new JournalRecord.Write(0, 1, 5, 3, 8, 1, false)); // written again at version 3
        r.apply(new JournalRecord.Clean(0, 1, 5, 1)); // an older upload committed: still dirty
        r.apply(new JournalRecord.Write(1, 1, 6, 4, 0, 128, false)); // chunk 6 in slot 1 ...
        r.apply(new JournalRecord.Clean(1, 1, 6, 4)); // ... clean
        r.apply(new JournalRecord.Write(1, 1, 7, 5, 0, 1, false)); // slot 1 reused by chunk 7
        r.apply(new JournalRecord.Write(2, 1, 8, 6, 0, 1, false));
        r.apply(new JournalRecord.Zero(1, 8, 7)); // chunk 8 unmapped: slot 2 released
        r.apply(new JournalRecord.Write(3, 1, 9, 8, 0, 1, false));
        r.apply(new JournalRecord.Zero(1, 9, 9));
        r.apply(new JournalRecord.Clean(-1, 1, 9, 9)); // zero of chunk 9 committed
        r.apply(new JournalRecord.Write(4, 2, 1, 10, 0, 1, false)); // volume 2 is unknown: ignored
        r.apply(new JournalRecord.Write(5, 1, 10, 11, 0, 128, false)); // chunk 10 whole in slot 5 ...
        r.apply(new JournalRecord.Clean(5, 1, 10, 11)); // ... clean, evicted (no record), slot reused unjournaled
        r.apply(new JournalRecord.Write(5, 1, 10, 12, 3, 1, true)); // new entry for chunk 10 in the same slot
        var dirty = r.dirtyChunks();
        assertThat(dirty).extracting(d -> d.key().chunk() + "@" + d.slot() + "v" + d.gen())
                .containsExactlyInAnyOrder("5@0v3", "7@1v5", "8@-1v7", "10@5v12");
        var ten = dirty.stream().filter(d -> d.key().chunk() == 10).findFirst().orElseThrow();
        assertThat(ten.bitmap().isValid(3)).isTrue();
        assertThat(ten.bitmap().isValid(0)).as("sectors of the old entry are not trusted").isFalse();
        var five = dirty.stream().filter(d -> d.key().chunk() == 5).findFirst().orElseThrow();
        assertThat(five.bitmap().allValid(0, 4)).isTrue();
        assertThat(five.bitmap().isValid(4)).isFalse();
        assertThat(five.bitmap().isValid(8)).isTrue();
        assertThat(r.maxGen).isEqualTo(12);
    }
}
