package dev.stowage.core.store.throttle;

import static dev.stowage.core.store.throttle.BandwidthSchedule.UNLIMITED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.stowage.core.store.throttle.BandwidthSchedule.Limits;
import dev.stowage.core.store.throttle.BandwidthSchedule.Window;

/** Which limits apply when: day boundaries, windows past midnight, time zones with clock changes, overlaps. */
class BandwidthScheduleTest {

    private static final long MB = 1 << 20;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Limits DEFAULTS = new Limits(100 * MB, UNLIMITED);

    private static Window window(Set<DayOfWeek> days, String from, String to, long upload) {
        return new Window(days, LocalTime.parse(from), LocalTime.parse(to), OptionalLong.of(upload), OptionalLong.empty());
    }

    private static Set<DayOfWeek> weekdays() {
        return EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
    }

    /** 2026-11-23 is a Monday. */
    private static Instant utc(String localDateTime) {
        return LocalDateTime.parse(localDateTime).toInstant(ZoneOffset.UTC);
    }

    private static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }

    @Test
    void officeHoursWindowAppliesOnWeekdaysFromItsStartUntilJustBeforeItsEnd() {
        var s = new BandwidthSchedule(DEFAULTS, List.of(window(weekdays(), "08:00", "18:00", 10 * MB)), ZoneOffset.UTC);
        assertThat(s.limitsAt(utc("2026-11-23T07:59:59")).upload()).isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-11-23T08:00:00")).upload()).isEqualTo(10 * MB);
        assertThat(s.limitsAt(utc("2026-11-23T17:59:59.999")).upload()).isEqualTo(10 * MB);
        assertThat(s.limitsAt(utc("2026-11-23T18:00:00")).upload()).isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-11-27T12:00:00")).upload()).as("Friday").isEqualTo(10 * MB);
        assertThat(s.limitsAt(utc("2026-11-28T12:00:00")).upload()).as("Saturday").isEqualTo(100 * MB);
        // A window that leaves download out keeps the default's download limit.
        assertThat(s.limitsAt(utc("2026-11-23T12:00:00")).download()).isEqualTo(UNLIMITED);
    }

    @Test
    void windowPastMidnightRunsIntoTheNextDayAndWrapsFromSundayToMonday() {
        var s = new BandwidthSchedule(DEFAULTS,
                List.of(window(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SUNDAY), "22:00", "06:00", MB)), ZoneOffset.UTC);
        assertThat(s.windows().getFirst().crossesMidnight()).isTrue();
        assertThat(s.limitsAt(utc("2026-11-27T21:59:00")).upload()).isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-11-27T22:00:00")).upload()).isEqualTo(MB);
        assertThat(s.limitsAt(utc("2026-11-28T05:59:00")).upload()).as("Saturday morning").isEqualTo(MB);
        assertThat(s.limitsAt(utc("2026-11-28T06:00:00")).upload()).isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-11-28T23:00:00")).upload()).as("Saturday night: not listed").isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-11-30T03:00:00")).upload()).as("Sunday's window on Monday").isEqualTo(MB);
        assertThat(s.limitsAt(utc("2026-11-23T03:00:00")).upload()).as("an earlier Monday too").isEqualTo(MB);
    }

    @Test
    void toMidnightMeansEndOfDayAndEqualTimesMeanAWholeDay() {
        var s = new BandwidthSchedule(DEFAULTS, List.of(
                window(EnumSet.of(DayOfWeek.MONDAY), "20:00", "00:00", MB),
                window(EnumSet.of(DayOfWeek.SATURDAY), "00:00", "00:00", 2 * MB)), ZoneOffset.UTC);
        assertThat(s.limitsAt(utc("2026-11-23T23:59:00")).upload()).isEqualTo(MB);
        assertThat(s.limitsAt(utc("2026-11-24T00:00:00")).upload()).isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-11-28T00:00:00")).upload()).isEqualTo(2 * MB);
        assertThat(s.limitsAt(utc("2026-11-28T23:59:59")).upload()).isEqualTo(2 * MB);
        assertThat(s.limitsAt(utc("2026-11-29T00:00:00")).upload()).isEqualTo(100 * MB);
    }

    @Test
    void timesAreWallClockTimesInTheZone() {
        var s = new BandwidthSchedule(DEFAULTS, List.of(window(weekdays(), "08:00", "18:00", 10 * MB)), BERLIN);
        // Winter: Berlin is UTC+1.
        assertThat(s.limitsAt(utc("2026-11-23T06:59:00")).upload()).isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-11-23T07:00:00")).upload()).isEqualTo(10 * MB);
        // Summer: UTC+2.
        assertThat(s.limitsAt(utc("2026-06-15T06:00:00")).upload()).isEqualTo(10 * MB);
        assertThat(s.limitsAt(utc("2026-06-15T16:00:00")).upload()).isEqualTo(100 * MB);
    }

    @Test
    void clocksGoingForwardSkipTheMissingHourAndGoingBackRepeatTheWindow() {
        // 2026-03-29 (Sunday): 02:00 -> 03:00 in Berlin. 2026-10-25 (Sunday): 03:00 -> 02:00.
        var s = new BandwidthSchedule(DEFAULTS,
                List.of(window(EnumSet.of(DayOfWeek.SUNDAY), "02:30", "03:30", MB)), BERLIN);
        assertThat(s.limitsAt(utc("2026-03-29T00:59:00")).upload()).as("01:59 CET").isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-03-29T01:00:00")).upload()).as("03:00 CEST, inside").isEqualTo(MB);
        assertThat(s.limitsAt(utc("2026-03-29T01:30:00")).upload()).as("03:30 CEST, ended").isEqualTo(100 * MB);
        // Autumn: 02:30 happens twice, 00:30 UTC (CEST) and 01:30 UTC (CET); both are in the window.
        assertThat(s.limitsAt(utc("2026-10-25T00:30:00")).upload()).isEqualTo(MB);
        assertThat(s.limitsAt(utc("2026-10-25T01:00:00")).upload()).as("02:00 CET, between").isEqualTo(100 * MB);
        assertThat(s.limitsAt(utc("2026-10-25T01:30:00")).upload()).isEqualTo(MB);
        assertThat(s.limitsAt(utc("2026-10-25T02:30:00")).upload()).as("03:30 CET").isEqualTo(100 * MB);
    }

    @Test
    void nextChangeIsTheNextWindowBoundary() {
        var s = new BandwidthSchedule(DEFAULTS, List.of(window(weekdays(), "08:00", "18:00", 10 * MB)), BERLIN);
        assertThat(s.nextChange(berlin("2026-11-23T07:00:30"))).isEqualTo(berlin("2026-11-23T08:00:00"));
        assertThat(s.nextChange(berlin("2026-11-23T08:00:00"))).isEqualTo(berlin("2026-11-23T18:00:00"));
        assertThat(s.nextChange(berlin("2026-11-27T18:00:00"))).as("Friday evening to Monday")
                .isEqualTo(berlin("2026-11-30T08:00:00"));
        assertThat(BandwidthSchedule.constant(DEFAULTS).nextChange(utc("2026-11-23T07:00:00"))).isEqualTo(Instant.MAX);
    }

    @Test
    void nextChangeAcrossTheSpringClockChangeIsNeverLate() {
        var s = new BandwidthSchedule(DEFAULTS,
                List.of(window(EnumSet.of(DayOfWeek.SUNDAY), "01:00", "02:30", MB)), BERLIN);
        Instant inside = berlin("2026-03-29T01:30:00");
        assertThat(s.limitsAt(inside).upload()).isEqualTo(MB);
        // 02:30 does not exist that night; the window ends when clocks jump to 03:00 (01:00 UTC).
        Instant next = s.nextChange(inside);
        assertThat(next).isBeforeOrEqualTo(utc("2026-03-29T01:00:00")).isAfter(inside);
        assertThat(s.limitsAt(utc("2026-03-29T01:00:00")).upload()).isEqualTo(100 * MB);
    }

    @Test
    void nextChangeAcrossTheAutumnClockChangeIsNeverLate() {
        var s = new BandwidthSchedule(DEFAULTS,
                List.of(window(EnumSet.of(DayOfWeek.SUNDAY), "02:30", "03:30", MB)), BERLIN);
        Instant firstTime = utc("2026-10-25T00:45:00"); // 02:45 CEST, inside
        assertThat(s.limitsAt(firstTime).upload()).isEqualTo(MB);
        // At 01:00 UTC clocks go back to 02:00, outside the window until 02:30 comes again.
        assertThat(s.nextChange(firstTime)).isEqualTo(utc("2026-10-25T01:00:00"));
        assertThat(s.limitsAt(utc("2026-10-25T01:00:00")).upload()).isEqualTo(100 * MB);
        assertThat(s.nextChange(utc("2026-10-25T01:00:00"))).isEqualTo(utc("2026-10-25T01:30:00"));
    }

    @Test
    void overlappingWindowsAreRefusedWithOneLineNamingBoth() {
        List<Window> ws = List.of(
                window(weekdays(), "08:00", "18:00", MB),
                window(EnumSet.of(DayOfWeek.WEDNESDAY), "17:00", "19:00", 2 * MB));
        assertThat(BandwidthSchedule.overlap(ws)).hasValueSatisfying(o -> {
            assertThat(o.first()).isZero();
            assertThat(o.second()).isEqualTo(1);
            assertThat(o.day()).isEqualTo(DayOfWeek.WEDNESDAY);
            assertThat(o.time()).isEqualTo(LocalTime.of(17, 0));
        });
        assertThatThrownBy(() -> new BandwidthSchedule(DEFAULTS, ws, ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window 2 overlaps window 1 on Wednesday at 17:00");
    }

    @Test
    void aWindowPastMidnightOverlapsTheNextDaysMorningWindow() {
        List<Window> ws = List.of(
                window(EnumSet.of(DayOfWeek.SUNDAY), "23:00", "02:00", MB),
                window(EnumSet.of(DayOfWeek.MONDAY), "01:00", "03:00", 2 * MB));
        assertThat(BandwidthSchedule.overlap(ws)).hasValueSatisfying(o -> {
            assertThat(o.day()).isEqualTo(DayOfWeek.MONDAY);
            assertThat(o.time()).isEqualTo(LocalTime.of(1, 0));
        });
        // Touching is fine: one ends at 02:00, the next starts at 02:00.
        assertThat(BandwidthSchedule.overlap(List.of(
                window(EnumSet.of(DayOfWeek.SUNDAY), "23:00", "02:00", MB),
                window(EnumSet.of(DayOfWeek.MONDAY), "02:00", "03:00", 2 * MB)))).isEmpty();
    }

    @Test
    void atMostTwentyWindows() {
        List<Window> ws = new ArrayList<>();
        for (int h = 0; h < 21; h++) {
            ws.add(window(EnumSet.of(DayOfWeek.MONDAY), String.format("%02d:00", h), String.format("%02d:30", h), MB));
        }
        assertThat(new BandwidthSchedule(DEFAULTS, ws.subList(0, 20), ZoneOffset.UTC).windows()).hasSize(20);
        assertThatThrownBy(() -> new BandwidthSchedule(DEFAULTS, ws, ZoneOffset.UTC))
                .hasMessage("at most 20 windows are allowed, got 21");
    }

    @Test
    void unlimitedIsExpressibleAndRecognised() {
        assertThat(BandwidthSchedule.constant(Limits.NONE).unlimited()).isTrue();
        assertThat(BandwidthSchedule.constant(Limits.NONE).limitsAt(utc("2026-11-23T12:00:00"))).isEqualTo(Limits.NONE);
        var openAtNight = new BandwidthSchedule(Limits.NONE, List.of(window(weekdays(), "08:00", "18:00", MB)), ZoneOffset.UTC);
        assertThat(openAtNight.unlimited()).isFalse();
        assertThat(openAtNight.limitsAt(utc("2026-11-23T20:00:00")).unlimited()).isTrue();
        assertThatThrownBy(() -> new Limits(0, UNLIMITED)).hasMessageContaining("at least 1 byte/s");
    }
}
