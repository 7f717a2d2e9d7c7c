package dev.stowage.core.store.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Rates as operators write them, and the one-line refusals. */
class RatesTest {

    @Test
    void byteRatesAreBinary() {
        assertThat(Rates.parse("100MiB/s")).isEqualTo(100L << 20);
        assertThat(Rates.parse("512KiB/s")).isEqualTo(512L << 10);
        assertThat(Rates.parse("10MB/s")).isEqualTo(10L << 20);
        assertThat(Rates.parse("1.5GiB/s")).isEqualTo(3L << 29);
        assertThat(Rates.parse(" 20000 B/s ")).isEqualTo(20_000);
    }

    @Test
    void bitRatesAreDecimalAndBecomeBytes() {
        assertThat(Rates.parse("800Mbit/s")).isEqualTo(100_000_000);
        assertThat(Rates.parse("1Gbit/s")).isEqualTo(125_000_000);
        assertThat(Rates.parse("100kbit/s")).isEqualTo(12_500);
        assertThat(Rates.parse("51200bit/s")).isEqualTo(6_400);
        assertThat(Rates.parse("800Mbps")).isEqualTo(100_000_000);
        assertThat(Rates.parse("9bps")).isEqualTo(1);
    }

    @Test
    void unlimitedInAnyCase() {
        assertThat(Rates.parse("unlimited")).isEqualTo(BandwidthSchedule.UNLIMITED);
        assertThat(Rates.parse("Unlimited")).isEqualTo(BandwidthSchedule.UNLIMITED);
    }

    @Test
    void whatIsNotARateIsRefusedWithTheFix() {
        assertThatThrownBy(() -> Rates.parse("fast")).hasMessage(
                "'fast' is not a rate; write e.g. 100MiB/s, 512KiB/s, 800Mbit/s, 1Gbit/s or unlimited");
        assertThatThrownBy(() -> Rates.parse("100MiB")).hasMessage(
                "'100MiB' has no '/s'; write a rate per second, e.g. 100MiB/s");
        assertThatThrownBy(() -> Rates.parse("1000")).hasMessageContaining("is not a rate");
        assertThatThrownBy(() -> Rates.parse("100Mbps/s")).hasMessageContaining("'per second' twice");
        assertThatThrownBy(() -> Rates.parse("4bit/s")).hasMessageContaining("less than 1 byte per second");
        assertThatThrownBy(() -> Rates.parse("-5MiB/s")).hasMessageContaining("is not a rate");
        assertThatThrownBy(() -> Rates.parse(null)).hasMessageContaining("is not a rate");
    }

    @Test
    void formatUsesTheLargestWholeUnit() {
        assertThat(Rates.format(10L << 20)).isEqualTo("10 MiB/s");
        assertThat(Rates.format(100_000_000)).isEqualTo("95.37 MiB/s");
        assertThat(Rates.format(500)).isEqualTo("500 B/s");
        assertThat(Rates.format(BandwidthSchedule.UNLIMITED)).isEqualTo("unlimited");
    }
}
