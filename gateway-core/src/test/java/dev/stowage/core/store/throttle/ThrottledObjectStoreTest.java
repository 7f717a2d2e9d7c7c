package dev.stowage.core.store.throttle;

import static dev.stowage.core.store.throttle.BandwidthSchedule.UNLIMITED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.memory.InMemoryObjectStore;
import dev.stowage.core.store.throttle.BandwidthSchedule.Limits;
import dev.stowage.core.store.throttle.BandwidthSchedule.Window;

/** What the throttled store charges, against which limit, and the waits that follow (on a {@link ManualTime}). */
class ThrottledObjectStoreTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long RATE = 1_000_000; // 1,000 ns per byte: exact waits

    @TempDir
    Path dir;

    /** 2026-11-23 is a Monday. */
    private final ManualTime time = new ManualTime(Instant.parse("2026-11-23T12:00:00Z"));
    private final InMemoryObjectStore memory = new InMemoryObjectStore("mem", Clock.systemUTC(), 1 << 20, 256 << 10);

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private ThrottledObjectStore store(BandwidthSchedule schedule) {
        return new ThrottledObjectStore(memory, schedule, time.clock(), time);
    }

    private static BandwidthSchedule constant(long upload, long download) {
        return BandwidthSchedule.constant(new Limits(upload, download));
    }

    @Test
    void putChargesTheBodyAgainstTheUploadLimit() {
        ThrottledObjectStore s = store(constant(RATE, UNLIMITED));
        s.put("a", new byte[3_000_000], PutOptions.DEFAULT);
        assertThat(s.uploadedBytes()).isEqualTo(3_000_000);
        assertThat(s.downloadedBytes()).isZero();
        // One second from the bucket, two seconds of waiting, in slices rather than one long sleep.
        assertThat(time.sleptNanos()).isEqualTo(2 * SECOND);
        assertThat(time.waits()).allSatisfy(w -> assertThat(w).isLessThanOrEqualTo(ThrottledObjectStore.SLICE * 1000L));
        assertThat(memory.get("a")).hasSize(3_000_000);
    }

    @Test
    void getChargesTheBytesReturnedAgainstTheDownloadLimit() {
        ThrottledObjectStore s = store(constant(UNLIMITED, 2 * RATE));
        memory.put("big", new byte[5_000_000], PutOptions.DEFAULT);
        assertThat(s.get("big")).hasSize(5_000_000);
        assertThat(s.downloadedBytes()).isEqualTo(5_000_000);
        assertThat(time.sleptNanos()).isEqualTo(1_500_000_000L); // 3,000,000 bytes past the bucket at 2 MB/s
        assertThat(s.uploadedBytes()).isZero();
    }

    @Test
    void rangedGetChargesOnlyTheRangeAndARangePastTheEndOnlyWhatCameBack() {
        ThrottledObjectStore s = store(constant(UNLIMITED, RATE));
        memory.put("obj", new byte[1000], PutOptions.DEFAULT);
        assertThat(s.get("obj", ByteRange.of(100, 200))).hasSize(200);
        assertThat(s.downloadedBytes()).isEqualTo(200);
        assertThat(s.get("obj", ByteRange.of(900, 5000))).hasSize(100);
        assertThat(s.downloadedBytes()).isEqualTo(300);
    }

    @Test
    void putLargeChargesEachMultipartPartAsItGoes() throws Exception {
        ThrottledObjectStore s = store(constant(RATE, UNLIMITED));
        Path file = Files.write(dir.resolve("f"), new byte[3_000_000]);
        List<Instant> partsAt = new java.util.ArrayList<>();
        // The caller's own pacer runs first, so it sees when each 256 KiB part was about to be charged.
        s.putLarge("large", file, PutOptions.DEFAULT, bytes -> partsAt.add(time.now()));
        assertThat(memory.head("large").size()).isEqualTo(3_000_000);
        assertThat(s.uploadedBytes()).isEqualTo(3_000_000);
        assertThat(time.sleptNanos()).isEqualTo(2 * SECOND);
        // Twelve parts spread over the two seconds, not one wait followed by the whole file.
        assertThat(partsAt).hasSize(12);
        assertThat(partsAt.getFirst()).isEqualTo(Instant.parse("2026-11-23T12:00:00Z"));
        assertThat(partsAt.getLast()).isAfter(Instant.parse("2026-11-23T12:00:01.5Z"));
    }

    @Test
    void putLargeWithoutAPacerIsChargedToo() throws Exception {
        ThrottledObjectStore s = store(constant(RATE, UNLIMITED));
        s.putLarge("large", Files.write(dir.resolve("g"), new byte[2_000_000]), PutOptions.DEFAULT);
        assertThat(s.uploadedBytes()).isEqualTo(2_000_000);
        assertThat(time.sleptNanos()).isEqualTo(SECOND);
    }

    @Test
    void callsWithoutBodiesAreNotCharged() {
        ThrottledObjectStore s = store(constant(1000, 1000));
        memory.put("x", new byte[100_000], PutOptions.DEFAULT);
        s.head("x");
        s.list("", null, 10);
        s.copy("x", "y", PutOptions.DEFAULT);
        s.delete(List.of("y"));
        assertThat(s.uploadedBytes()).isZero();
        assertThat(s.downloadedBytes()).isZero();
        assertThat(time.sleptNanos()).isZero();
    }

    @Test
    void aScheduledLimitEndsAtItsWindowBoundaryInTheMiddleOfABody() {
        // 1 MB/s on weekdays 08:00-18:00, unlimited otherwise; the upload starts 5 s before 18:00.
        ManualTime late = new ManualTime(Instant.parse("2026-11-23T17:59:55Z"));
        var schedule = new BandwidthSchedule(Limits.NONE, List.of(new Window(EnumSet.range(DayOfWeek.MONDAY,
                DayOfWeek.FRIDAY), LocalTime.of(8, 0), LocalTime.of(18, 0), OptionalLong.of(RATE), OptionalLong.empty())),
                ZoneOffset.UTC);
        ThrottledObjectStore s = new ThrottledObjectStore(memory, schedule, late.clock(), late);
        s.put("a", new byte[20_000_000], PutOptions.DEFAULT);
        // At 1 MB/s the 20 MB would take 19 s; the limit lifts at 18:00:00 and the rest goes at once.
        assertThat(late.sleptNanos()).isEqualTo(5 * SECOND);
        assertThat(late.now()).isEqualTo(Instant.parse("2026-11-23T18:00:00Z"));
        assertThat(s.uploadedBytes()).isEqualTo(20_000_000);
    }

    @Test
    void aScheduledLimitStartsAtItsWindowBoundary() {
        ManualTime early = new ManualTime(Instant.parse("2026-11-23T07:59:58Z"));
        var schedule = new BandwidthSchedule(Limits.NONE, List.of(new Window(EnumSet.of(DayOfWeek.MONDAY),
                LocalTime.of(8, 0), LocalTime.of(18, 0), OptionalLong.of(RATE), OptionalLong.of(RATE))), ZoneOffset.UTC);
        ThrottledObjectStore s = new ThrottledObjectStore(memory, schedule, early.clock(), early);
        s.put("before", new byte[20_000_000], PutOptions.DEFAULT);
        assertThat(early.sleptNanos()).as("unlimited before 08:00").isZero();
        early.advance(java.time.Duration.ofSeconds(2));
        s.put("after", new byte[3_000_000], PutOptions.DEFAULT);
        assertThat(early.sleptNanos()).as("1 MB/s from 08:00").isEqualTo(2 * SECOND);
        assertThat(s.get("after")).hasSize(3_000_000);
        assertThat(early.sleptNanos()).as("downloads too").isEqualTo(4 * SECOND);
    }

    @Test
    void anInterruptedUploadIsNotSentAndKeepsTheInterruptFlag() {
        ThrottledObjectStore s = store(constant(RATE, UNLIMITED));
        s.put("first", new byte[(int) RATE], PutOptions.DEFAULT); // empties the bucket
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> s.put("second", new byte[1000], PutOptions.DEFAULT))
                .isInstanceOf(StoreFailureException.class)
                .hasMessage("interrupted while waiting for upload bandwidth for second");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(memory.find("second")).isEmpty();
    }

    @Test
    void describeNamesTheLimits() {
        assertThat(store(constant(10L << 20, UNLIMITED)).describe())
                .isEqualTo("in-memory object store 'mem' (bandwidth limits: default upload 10 MiB/s, download unlimited (UTC))");
    }
}
