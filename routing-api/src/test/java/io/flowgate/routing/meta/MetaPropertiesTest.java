package io.flowgate.routing.meta;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The documented environment variables reach {@link MetaProperties}, and the defaults are the record's. */
class MetaPropertiesTest {

    private static MetaProperties bind(Map<String, Object> environment) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("test-env", environment));
        return new Binder(ConfigurationPropertySources.get(env)).bindOrCreate("flowgate.meta", MetaProperties.class);
    }

    @Test
    void defaults() {
        MetaProperties p = bind(Map.of());
        assertThat(p.metricsInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(p.metricsGranularity()).isEqualTo("DAY");
        assertThat(p.metricsLookback()).isEqualTo(Duration.ofDays(2));
        assertThat(p.callDeadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.wabaIdOrNull()).isNull();
    }

    @Test
    void environmentVariables() {
        MetaProperties p = bind(Map.of("FLOWGATE_META_METRICS_INTERVAL", "5m", "FLOWGATE_META_METRICS_GRANULARITY", "HOUR",
                "FLOWGATE_META_METRICS_LOOKBACK", "1d", "FLOWGATE_META_CALL_DEADLINE", "10s", "FLOWGATE_META_WABA_ID", "102290129340398"));
        assertThat(p.metricsInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.metricsGranularity()).isEqualTo("HOUR");
        assertThat(p.metricsLookback()).isEqualTo(Duration.ofDays(1));
        assertThat(p.callDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.wabaIdOrNull()).isEqualTo("102290129340398");
    }
}
