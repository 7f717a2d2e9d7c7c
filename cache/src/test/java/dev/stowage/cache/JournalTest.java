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
                new JournalRecord.Write(3, 1, 77, 9, 5, 2, true, true, new int[] {0x1234, -5}),
                new JournalRecord.Zero(1, 12, 10),
                new JournalRecord.Clean(3, 1, 77, 9),
                new JournalRecord.Slot(2, 1, 78, 11, new byte[] {1, 2, 3}));
        long offsetOfFourth;
        JournalRecord flushRecord;
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
                long beforeSync = j.size();
                j.syncAll();
                long afterSync = j.size();
                j.syncAll(); // nothing new: no second force, no second FLUSH record
                assertThat(j.size()).isEqualTo(afterSync);
                flushRecord = new JournalRecord.Flush(beforeSync);
            }
            List<JournalRecord> back = reopen(data);
            assertThat(back).hasSize(7);
            assertThat(back.get(6)).as("the flush says what it made stable").isEqualTo(flushRecord);
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

    private static final int S = Journal.SECTOR_SIZE;

    /** A version-2 WRITE of {@code sectors} sectors taken from {@code content} at {@code first}. */
    private static JournalRecord.Write write(int slot, long chunk, long gen, byte[] content, int first, int count,
                                             boolean fresh, boolean zeroRest) {
        int[] crcs = JournalRecord.sectorCrcs(java.nio.ByteBuffer.wrap(content, first * S, count * S), count);
        return new JournalRecord.Write(slot, 1, chunk, gen, first, count, fresh, zeroRest, crcs);
    }

    private static byte[] filled(int b) {
        byte[] out = new byte[SLOT];
        java.util.Arrays.fill(out, (byte) b);
        return out;
    }

    @Test
    void replayTrustsOnlySectorsWhoseDataReachedTheDataFile() throws Exception {
        byte[] older = filled(1);   // what chunk 5 held after its first, flushed write
        byte[] newer = filled(2);   // a later write to sectors 0..3 that reached the journal only
        byte[] foreign = filled(9); // another chunk's data left in a reused slot
        JournalReplay r = new JournalReplay(SLOT);
        r.apply(new JournalRecord.Volume(1, 1 << 30, SLOT, "v"));
        // chunk 5, slot 0: sectors 0..7 written (reached disk), then 0..3 rewritten (did not)
        r.apply(write(0, 5, 1, older, 0, 8, true, false));
        r.apply(write(0, 5, 2, newer, 0, 4, false, false));
        // chunk 6, slot 1: a fresh entry whose data never reached the reused slot
        r.apply(write(1, 6, 3, newer, 2, 2, true, false));
        // chunk 7, slot 2: a fresh entry of a chunk that was all zeros; nothing reached the slot
        r.apply(write(2, 7, 4, newer, 10, 1, true, true));
        // chunk 8, slot 3: a checkpoint vouches for sectors 0..1; a later write to sector 0 did not arrive
        r.apply(new JournalRecord.Slot(3, 1, 8, 5, new byte[] {3}));
        r.apply(write(3, 8, 6, newer, 0, 1, false, false));
        // chunk 9, slot 4: checkpointed, then committed (the slot may be refilled since), then written again
        r.apply(new JournalRecord.Slot(4, 1, 9, 7, new byte[] {3}));
        r.apply(new JournalRecord.Clean(4, 1, 9, 7));
        r.apply(write(4, 9, 8, newer, 5, 1, false, false));
        byte[] slot0 = older.clone();
        byte[] slot2 = foreign.clone();
        System.arraycopy(new byte[S], 0, slot2, 11 * S, S); // one sector happens to be zero already
        java.util.Map<Integer, byte[]> disk = java.util.Map.of(0, slot0, 1, foreign, 2, slot2, 3, older, 4, newer);
        var dirty = r.dirtyChunks(disk::get);
        var byChunk = new java.util.HashMap<Long, JournalReplay.DirtyChunk>();
        dirty.forEach(d -> byChunk.put(d.key().chunk(), d));

        var five = byChunk.get(5L);
        assertThat(five.bitmap().allValid(0, 8)).as("the older write of the same chunk is still there").isTrue();
        assertThat(five.bitmap().isValid(8)).isFalse();
        assertThat(five.zeroFill()).isEmpty();

        var six = byChunk.get(6L);
        assertThat(six.bitmap().isValid(2) || six.bitmap().isValid(3)).as("foreign data is never valid").isFalse();

        var seven = byChunk.get(7L);
        assertThat(seven.bitmap().allValid(0, SLOT / S)).as("a chunk that was zero becomes zeros").isTrue();
        assertThat(seven.zeroFill()).hasSize(SLOT / S - 1).doesNotContain(11);

        var eight = byChunk.get(8L);
        assertThat(eight.bitmap().allValid(0, 2)).as("the checkpoint vouches for these").isTrue();
        assertThat(eight.bitmap().isValid(2)).isFalse();
        var nine = byChunk.get(9L);
        assertThat(nine.bitmap().isValid(5)).isTrue();
        assertThat(nine.bitmap().isValid(0) || nine.bitmap().isValid(1))
                .as("after a commit the checkpoint vouches for nothing: read from the recovery point").isFalse();
        assertThat(r.unverifiedSectors).isEqualTo(4 + 2 + 1 + 1);

        // A flushed write whose sectors now hold other bytes: they can only be this chunk's later
        // data (a write whose record never made it), so they stay valid.
        JournalReplay flushed = new JournalReplay(SLOT);
        flushed.apply(new JournalRecord.Volume(1, 1 << 30, SLOT, "v"));
        flushed.apply(write(0, 5, 1, older, 0, 8, true, false), true);
        flushed.apply(write(0, 5, 2, newer, 8, 4, false, false), false);
        var f = flushed.dirtyChunks(slot -> foreign).getFirst();
        assertThat(f.bitmap().allValid(0, 8)).isTrue();
        assertThat(f.bitmap().isValid(8)).as("not flushed, not there: invalid").isFalse();

        // Had the data arrived, the newest write wins.
        byte[] arrived = older.clone();
        System.arraycopy(newer, 0, arrived, 0, 4 * S);
        JournalReplay again = new JournalReplay(SLOT);
        again.apply(new JournalRecord.Volume(1, 1 << 30, SLOT, "v"));
        again.apply(write(0, 5, 1, older, 0, 8, true, false));
        again.apply(write(0, 5, 2, newer, 0, 4, false, false));
        var d = again.dirtyChunks(slot -> arrived).getFirst();
        assertThat(d.bitmap().allValid(0, 8)).isTrue();
        assertThat(again.unverifiedSectors).isZero();
    }

    @Test
    void aVersion1JournalIsReadAndRefusesAppendsUntilRewritten() throws Exception {
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.write(Journal.encodeHeader(new Journal.Header(SLOT, 8, 1, 0, 1)));
        file.write(Journal.encode(new JournalRecord.Volume(1, 1 << 30, SLOT, "v")));
        file.write(version1Write(3, 1, 77, 9, 5, 2, true));
        Files.write(dir.resolve("journal"), file.toByteArray());
        try (FileChannel data = data()) {
            List<JournalRecord> out = new ArrayList<>();
            try (Journal j = Journal.open(dir.resolve("journal"), data, SLOT, 8, 0, out)) {
                assertThat(j.header().formatVersion()).isEqualTo(1);
                assertThat(out).hasSize(2);
                assertThat(out.get(1)).isEqualTo(new JournalRecord.Write(3, 1, 77, 9, 5, 2, true, false, null));
                assertThatThrownBy(() -> j.append(new JournalRecord.Zero(1, 2, 10)))
                        .hasMessageContaining("must be rewritten");
                j.rewrite(List.of(out.getFirst()));
                assertThat(j.header().formatVersion()).isEqualTo(Journal.VERSION);
                j.append(new JournalRecord.Zero(1, 2, 10));
            }
            assertThat(reopen(data)).hasSize(2);
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("journal"));
        assertThat(bytes[5]).isEqualTo((byte) 2);
        bytes[5] = 3; // a newer format
        java.nio.ByteBuffer.wrap(bytes).putInt(60, crc(bytes, 60));
        Files.write(dir.resolve("journal"), bytes);
        try (FileChannel data = data()) {
            assertThatThrownBy(() -> reopen(data)).hasMessageContaining("format version 3");
        }
    }

    private static int crc(byte[] b, int n) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, 0, n);
        return (int) c.getValue();
    }

    /** A WRITE record as version 1 wrote it (no sector checksums). */
    static byte[] version1Write(int slot, int volume, long chunk, long gen, int first, int count, boolean fresh) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(9 + 33);
        b.putInt(33).put(JournalRecord.TYPE_WRITE).putInt(slot).putInt(volume).putLong(chunk).putLong(gen)
                .putInt(first).putInt(count).put((byte) (fresh ? 1 : 0));
        b.putInt(crc(b.array(), 38));
        return b.array();
    }

    @Test
    void replayFollowsVersionsSlotsAndZeros() throws Exception {
        JournalReplay r = new JournalReplay(SLOT);
        r.apply(new JournalRecord.Volume(1, 1 << 30, SLOT, "v"));
        r.apply(new JournalRecord.Write(0, 1, 5, 1, 0, 4, false, false, null)); // chunk 5 in slot 0
        r.apply(new JournalRecord.Write(0, 1, 5, 3, 8, 1, false, false, null)); // written again at version 3
        r.apply(new JournalRecord.Clean(0, 1, 5, 1)); // an older upload committed: still dirty
        r.apply(new JournalRecord.Write(1, 1, 6, 4, 0, 128, false, false, null)); // chunk 6 in slot 1 ...
        r.apply(new JournalRecord.Clean(1, 1, 6, 4)); // ... clean
        r.apply(new JournalRecord.Write(1, 1, 7, 5, 0, 1, false, false, null)); // slot 1 reused by chunk 7
        r.apply(new JournalRecord.Write(2, 1, 8, 6, 0, 1, false, false, null));
        r.apply(new JournalRecord.Zero(1, 8, 7)); // chunk 8 unmapped: slot 2 released
        r.apply(new JournalRecord.Write(3, 1, 9, 8, 0, 1, false, false, null));
        r.apply(new JournalRecord.Zero(1, 9, 9));
        r.apply(new JournalRecord.Clean(-1, 1, 9, 9)); // zero of chunk 9 committed
        r.apply(new JournalRecord.Write(4, 2, 1, 10, 0, 1, false, false, null)); // volume 2 is unknown: ignored
        r.apply(new JournalRecord.Write(5, 1, 10, 11, 0, 128, false, false, null)); // chunk 10 whole in slot 5 ...
        r.apply(new JournalRecord.Clean(5, 1, 10, 11)); // ... clean, evicted (no record), slot reused unjournaled
        r.apply(new JournalRecord.Write(5, 1, 10, 12, 3, 1, true, false, null)); // new entry for chunk 10 in the same slot
        var dirty = r.dirtyChunks(slot -> {
            throw new AssertionError("records without checksums need no data");
        });
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

    @Test
    void warmRecordsKeepCleanChunksUntilAnyLaterRecordTouchesTheChunkOrTheSlot() throws Exception {
        JournalRecord.Warm warm = new JournalRecord.Warm(4, 1, 20, 30, 0xCAFE);
        try (FileChannel data = data()) {
            try (Journal j = Journal.open(dir.resolve("journal"), data, SLOT, 8, 0, new ArrayList<>())) {
                j.append(warm);
            }
            assertThat(reopen(data)).containsExactly(warm);
        }

        JournalReplay r = new JournalReplay(SLOT);
        r.apply(new JournalRecord.Volume(1, 1 << 30, SLOT, "v"));
        r.apply(new JournalRecord.Warm(0, 1, 1, 1, 11)); // kept
        r.apply(new JournalRecord.Warm(1, 1, 2, 2, 12));
        r.apply(new JournalRecord.Write(1, 1, 3, 3, 0, 1, true, false, null)); // slot 1 reused by chunk 3
        r.apply(new JournalRecord.Warm(2, 1, 4, 4, 14));
        r.apply(new JournalRecord.Zero(1, 4, 5)); // chunk 4 unmapped
        r.apply(new JournalRecord.Warm(3, 1, 5, 6, 15));
        r.apply(new JournalRecord.Write(3, 1, 5, 7, 2, 1, false, false, null)); // chunk 5 written in place: dirty
        r.apply(new JournalRecord.Warm(5, 1, 6, 8, 16));
        r.apply(new JournalRecord.Warm(6, 1, 6, 9, 17)); // chunk 6 read again into another slot: the newer counts
        r.apply(new JournalRecord.Warm(7, 2, 1, 10, 18)); // volume 2 is unknown
        r.apply(new JournalRecord.Write(8, 1, 7, 11, 0, 1, false, false, null));
        r.apply(new JournalRecord.Clean(8, 1, 7, 11));
        r.apply(new JournalRecord.Warm(8, 1, 7, 11, 19)); // committed, then marked warm
        assertThat(r.warmChunks()).extracting(w -> w.key().chunk() + "@" + w.slot() + "v" + w.gen() + "c" + w.crc())
                .containsExactlyInAnyOrder("1@0v1c11", "6@6v9c17", "7@8v11c19");
        assertThat(r.dirtyChunks(slot -> new byte[SLOT])).extracting(d -> d.key().chunk())
                .containsExactlyInAnyOrder(3L, 4L, 5L);
        assertThat(r.maxGen).isEqualTo(11);
    }
}
