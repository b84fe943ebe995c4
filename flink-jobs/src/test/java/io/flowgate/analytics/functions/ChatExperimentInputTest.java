package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ExperimentDefinition;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.events.FlowTransition;
import io.flowgate.schema.FlowgateSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A routing experiment on a chat machine reaches the experiment tables with no job code of its own
 * (docs/experiments.md, "Experiments on chat machines"): the definitions reader knows it by its machine id,
 * and the chat's transitions, tagged as routing-api's LeadEvents tags them, make experiment sessions like
 * a Flow's.
 */
class ChatExperimentInputTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:15:00Z");
    private static final Duration STALE_AFTER = Duration.ofMinutes(30);

    @Test
    void theDefinitionsReaderKnowsAMachinesExperimentByItsMachineId() throws Exception {
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.shared();
        String url = pg.newDatabase("chat_exp");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(pg.user());
        FlowgateSchema.migrate(ds);
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); var st = c.createStatement()) {
            st.execute("INSERT INTO chat_machines (machine_id, definition) VALUES ('lead_qualification', '{}')");
            st.execute("INSERT INTO experiments (experiment_id, machine_id, status) VALUES ('short-start', 'lead_qualification', 'running')");
            st.execute("INSERT INTO experiment_variants (experiment_id, variant, is_control, weight, states) VALUES "
                    + "('short-start', 'control', true, 1, '{}'), ('short-start', 'short', false, 1, '{\"ASK_NAME\": {}}')");
        }
        ExperimentsReader reader = new ExperimentsReader(url, "postgres", "");
        try {
            ExperimentDefinition d = reader.map(0L).experiments().get("short-start");
            assertThat(d).isNotNull();
            assertThat(d.flowId()).isEqualTo("lead_qualification");
            assertThat(d.control()).isEqualTo("control");
            assertThat(d.status()).isEqualTo("running");
        } finally {
            reader.close();
        }
    }

    @Test
    void aChatConversationInAnExperimentIsAnExperimentSession() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SessionStep, ScreenDelta> harness = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new SessionTracker(STALE_AFTER, Duration.ofHours(2), Long.MAX_VALUE),
                        SessionStep::sessionId, Types.STRING);
        harness.open();
        try {
            String[][] steps = {{"", "ASK_NAME"}, {"ASK_NAME", "ASK_BUDGET"}, {"ASK_BUDGET", "NURTURE"}};
            for (int i = 0; i < steps.length; i++) {
                Instant at = T0.plusSeconds(10L * i);
                FlowTransition t = new FlowTransition("chat:wamid." + i, at, "lead_qualification", "conv-1", "15550001",
                        T0, steps[i][0], steps[i][1], "chat_message", Map.of(), i == steps.length - 1, false,
                        FlowTransition.SOURCE_CHAT).withExperiment("short-start", "short");
                SessionStep step = TopicEventDeserializer.toStep(t);
                harness.processElement(step, step.eventTime());
            }
            harness.processWatermark(T0.plus(STALE_AFTER.multipliedBy(3)).toEpochMilli());
            List<ExperimentInput> inputs = harness.getSideOutput(SessionTracker.EXPERIMENT_SESSIONS).stream()
                    .map(StreamRecord::getValue).toList();
            assertThat(inputs).extracting(ExperimentInput::experimentId, ExperimentInput::variant, ExperimentInput::kind,
                            ExperimentInput::completed)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("short-start", "short", ExperimentInput.STARTED, false),
                            org.assertj.core.groups.Tuple.tuple("short-start", "short", ExperimentInput.FINISHED, true));
            assertThat(inputs.get(1).reached()).contains("ASK_NAME", "ASK_BUDGET");
        } finally {
            harness.close();
        }
    }
}
