package io.flowgate.analytics;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnalyticsOptionsTest {

    @Test
    void defaultsMatchTheDocumentation() {
        AnalyticsOptions o = AnalyticsOptions.fromArgs();
        assertThat(o.mode()).isEqualTo(RuntimeExecutionMode.STREAMING);
        assertThat(o.staleAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(o.outOfOrderness()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.topic()).isEqualTo("flowgate.transitions");
        assertThat(o.endOfTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(o.bounded()).isFalse();
        assertThat(o.leadModel().budgetWeight()).isEqualTo(30);
    }

    @Test
    void batchRangeAndWeightsAreParsed() {
        AnalyticsOptions o = AnalyticsOptions.fromArgs("--mode", "batch", "--from", "2026-11-01T00:00:00Z",
                "--to", "1793577600000", "--stale-after", "45m", "--lead-weight-budget", "40",
                "--lead-target-industries", "Retail, Health");
        assertThat(o.batch()).isTrue();
        assertThat(o.from()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(o.to()).isEqualTo(Instant.ofEpochMilli(1793577600000L));
        assertThat(o.endOfTime()).isEqualTo(1793577600000L - 1);
        assertThat(o.staleAfter()).isEqualTo(Duration.ofMinutes(45));
        assertThat(o.leadModel().budgetWeight()).isEqualTo(40);
        assertThat(o.leadModel().targetIndustries()).containsExactlyInAnyOrder("retail", "health");
    }

    @Test
    void typosAndBadValuesAreRefused() {
        assertThatThrownBy(() -> AnalyticsOptions.fromArgs("--stale-afer", "10m"))
                .hasMessageContaining("--stale-afer");
        assertThatThrownBy(() -> AnalyticsOptions.fromArgs("--mode", "micro-batch")).hasMessageContaining("streaming or batch");
        assertThatThrownBy(() -> AnalyticsOptions.fromArgs("--from", "yesterday")).hasMessageContaining("--from");
        assertThatThrownBy(() -> AnalyticsOptions.fromArgs("--demand-window", "1h", "--demand-slide", "7m"))
                .hasMessageContaining("multiple");
    }

    @Test
    void passwordIsNeverPrinted() {
        assertThat(AnalyticsOptions.fromArgs("--jdbc-password", "s3cret").toString()).doesNotContain("s3cret");
    }
}
