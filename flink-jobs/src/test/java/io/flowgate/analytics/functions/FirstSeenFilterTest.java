package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FirstSeenFilterTest {

    private KeyedOneInputStreamOperatorTestHarness<String, EndpointCall, EndpointCall> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new FirstSeenFilter(Duration.ofMinutes(1)),
                FirstSeenFilter.KEY, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static EndpointCall call(String id, long time) {
        return new EndpointCall(id, time, "DETAILS", "data_exchange", false, 12_000);
    }

    @Test
    void redeliveredRequestPassesOnceAndIsForgottenAfterTheHorizon() throws Exception {
        EndpointCall call = call("r1", 1_000);
        harness.processElement(call, 1_000);
        harness.processElement(call, 1_000);
        harness.processElement(call("r2", 1_500), 1_500);
        harness.processWatermark(61_500);
        harness.processElement(call, 1_000);

        assertThat(harness.extractOutputValues()).extracting(EndpointCall::eventId).containsExactly("r1", "r2");
        harness.processWatermark(120_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void oneTimerPerBucketAndMinuteNotOnePerRequest() throws Exception {
        Set<String> buckets = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            EndpointCall call = call("request-" + i, 60_000 + i * 50);
            buckets.add(FirstSeenFilter.KEY.getKey(call));
            harness.processElement(call, call.eventTime());
            harness.processElement(call, call.eventTime());
        }

        assertThat(harness.extractOutputValues()).hasSize(1_000);
        assertThat(buckets).hasSizeLessThanOrEqualTo(FirstSeenFilter.BUCKETS);
        assertThat(harness.numEventTimeTimers()).isEqualTo(buckets.size());
        harness.processWatermark(180_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
