package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class FirstSeenFilterTest {

    @Test
    void redeliveredRequestPassesOnceAndIsForgottenAfterTheHorizon() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, EndpointCall, EndpointCall> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(new FirstSeenFilter(Duration.ofMinutes(1)),
                        EndpointCall::eventId, Types.STRING);
        harness.open();
        EndpointCall call = new EndpointCall("r1", 1_000, "DETAILS", "data_exchange", false, 12_000);
        harness.processElement(call, 1_000);
        harness.processElement(call, 1_000);
        harness.processElement(new EndpointCall("r2", 1_500, "DETAILS", "data_exchange", false, 9_000), 1_500);

        assertThat(harness.extractOutputValues()).extracting(EndpointCall::eventId).containsExactly("r1", "r2");
        harness.processWatermark(61_500);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.close();
    }
}
