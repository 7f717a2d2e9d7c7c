package dev.stowage.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The text format writer: escaping, numbers, and the rules it enforces on names. */
class MetricsFormatTest {

    @Test
    void escapesBackslashQuoteAndLineFeedInLabelValues() {
        String text = new PromText().gauge("stowage_x", "x").sample("volume", "a\\b\"c\nd", 1).text();
        assertThat(text).contains("stowage_x{volume=\"a\\\\b\\\"c\\nd\"} 1\n");
        ExpositionParser.Page page = ExpositionParser.parse(text);
        assertThat(page.value("stowage_x", "volume=\"a\\\\b\\\"c\\nd\"")).isEqualTo(1.0);
    }

    @Test
    void escapesHelpTextButLeavesQuotes() {
        String text = new PromText().counter("stowage_y_total", "back\\slash \"quoted\"\nsecond line").sample(3).text();
        assertThat(text).startsWith("# HELP stowage_y_total back\\\\slash \"quoted\"\\nsecond line\n"
                + "# TYPE stowage_y_total counter\nstowage_y_total 3\n");
        assertThat(text.lines()).hasSize(3);
    }

    @Test
    void writesNumbersAsTheFormatReadsThem() {
        assertThat(PromText.formatValue(42)).isEqualTo("42");
        assertThat(PromText.formatValue(-0.25)).isEqualTo("-0.25");
        assertThat(PromText.formatValue(12.5)).isEqualTo("12.5");
        assertThat(PromText.formatValue(1795321717.323)).isEqualTo("1795321717.323");
        assertThat(PromText.formatValue(Double.NaN)).isEqualTo("NaN");
        assertThat(PromText.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PromText.formatValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(Double.parseDouble(PromText.formatValue(1e20))).isEqualTo(1e20);
    }

    @Test
    void refusesCountersWithoutTotalBadNamesAndDuplicateFamilies() {
        assertThatThrownBy(() -> new PromText().counter("stowage_bytes", "h")).hasMessageContaining("_total");
        assertThatThrownBy(() -> new PromText().gauge("stowage-x", "h")).hasMessageContaining("not a metric name");
        assertThatThrownBy(() -> new PromText().gauge("stowage_x", "h").sample("bad-label", "v", 1))
                .hasMessageContaining("not a label name");
        assertThatThrownBy(() -> new PromText().gauge("stowage_x", "h").gauge("stowage_x", "h"))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> new PromText().sample(1)).hasMessageContaining("declare");
    }
}
