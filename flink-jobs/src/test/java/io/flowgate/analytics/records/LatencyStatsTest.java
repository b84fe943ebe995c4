package io.flowgate.analytics.records;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyStatsTest {

    private static double exactPercentileMillis(long[] sortedMicros, double percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sortedMicros.length);
        return sortedMicros[Math.max(rank, 1) - 1] / 1000.0;
    }

    @Test
    void percentilesAreWithinOnePercentOfTheExactValue() {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            int n = 1 + random.nextInt(5_000);
            long[] micros = new long[n];
            LatencyStats stats = new LatencyStats();
            for (int i = 0; i < n; i++) {
                // log-normal-ish: mostly tens of ms, a tail into seconds
                micros[i] = (long) Math.exp(8 + 2.5 * random.nextGaussian() * random.nextDouble() + 2);
                stats.add(micros[i], false);
            }
            Arrays.sort(micros);
            for (double p : new double[]{50, 90, 95, 99}) {
                double exact = exactPercentileMillis(micros, p);
                assertThat(stats.percentileMillis(p)).as("p%s of %s values", p, n).isCloseTo(exact, within(exact * 0.01 + 0.001));
            }
            assertThat(stats.maxMillis()).isEqualTo(micros[n - 1] / 1000.0);
        }
    }

    @Test
    void mergedStatsEqualStatsOfAllRequests() {
        LatencyStats a = new LatencyStats().add(1_000, false).add(3_000, true);
        LatencyStats b = new LatencyStats().add(2_000, false);
        LatencyStats merged = a.copy().merge(b);

        assertThat(merged.requests()).isEqualTo(3);
        assertThat(merged.errors()).isEqualTo(1);
        assertThat(merged.errorRate()).isEqualTo(1.0 / 3);
        assertThat(merged.percentileMillis(50)).isCloseTo(2.0, within(0.02));
        assertThat(a.requests()).isEqualTo(2);
    }

    @Test
    void flinkSerializesItWithItsOwnSerializerAndRestoresItExactly() throws Exception {
        TypeInformation<LatencyStats> type = TypeInformation.of(LatencyStats.class);
        assertThat(type).isInstanceOf(LatencyStatsTypeInfo.class);
        TypeSerializer<LatencyStats> serializer = type.createSerializer(new SerializerConfigImpl());

        LatencyStats stats = new LatencyStats();
        for (int i = 1; i <= 1_000; i++) {
            stats.add(i * 137L, i % 50 == 0);
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(stats, out);
        LatencyStats restored = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(restored.requests()).isEqualTo(1_000);
        assertThat(restored.errors()).isEqualTo(20);
        assertThat(restored.maxMillis()).isEqualTo(stats.maxMillis());
        for (double p : new double[]{50, 90, 99}) {
            assertThat(restored.percentileMillis(p)).isEqualTo(stats.percentileMillis(p));
        }
        // still growable after a restore: a later, slower request is recorded
        restored.add(600_000_000L, false);
        assertThat(restored.maxMillis()).isEqualTo(600_000.0);
    }
}
