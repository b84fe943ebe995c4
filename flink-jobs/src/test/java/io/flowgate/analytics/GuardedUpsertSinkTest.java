package io.flowgate.analytics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.ScreenDropoffRow;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sink alone, on the embedded PostgreSQL: a flush is written as a few multi-row statements, of two rows with
 * the same key in a flush only the later is written, and the guard's refusals are still found row by row and named.
 * The flush interval is an hour here, so a run's rows are one flush (the end of input), more than
 * {@link GuardedUpsertSink#MAX_ROWS} of them: several statements of different sizes.
 */
class GuardedUpsertSinkTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    private static final int ROWS = 601;
    private static final long COHORT = 1_763_625_600_000L;

    /** A database per test: the first reads the server's row statistics of its table. */
    private AnalyticsDatabase db;

    @BeforeEach
    void database() throws SQLException {
        db = AnalyticsDatabase.create("sink", Map.of(), List.of(), null);
    }

    private AnalyticsOptions options(String mode) {
        return AnalyticsOptions.fromArgs("--kafka-bootstrap", "localhost:1", "--jdbc-url", db.url, "--jdbc-user", "postgres",
                "--jdbc-password", "", "--mode", mode, "--sink-batch-size", "100000", "--sink-flush-interval", "1h");
    }

    private static <T> void write(List<T> rows, Sink<T> sink, Class<T> type) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(rows, org.apache.flink.api.common.typeinfo.TypeInformation.of(type)).sinkTo(sink);
        env.execute("guarded-upsert-sink-test");
    }

    private static ScreenDropoffRow dropoff(String flow, int screen, long reached) {
        return new ScreenDropoffRow(flow, COHORT, "S" + screen, "flow", reached, reached / 2, reached / 4, COHORT + reached);
    }

    private List<String> table(String flow) throws SQLException {
        return db.query("SELECT screen, reached, dropped, completed FROM screen_dropoff WHERE flow_id = '" + flow
                + "' ORDER BY screen");
    }

    private static List<String> expected(List<ScreenDropoffRow> rows) {
        return rows.stream().sorted(java.util.Comparator.comparing(ScreenDropoffRow::screen))
                .map(r -> r.screen() + "|" + r.reached() + "|" + r.dropped() + "|" + r.completed()).toList();
    }

    @Test
    @Timeout(120)
    void aFlushWritesEachKeyOnceWithItsLatestRow() throws Exception {
        List<ScreenDropoffRow> latest = IntStream.range(0, ROWS).mapToObj(i -> dropoff("once", i, 10 + i)).toList();
        List<ScreenDropoffRow> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            if (i % 10 == 0) {
                rows.add(dropoff("once", i, 1 + i)); // superseded within the same flush
            }
            rows.add(latest.get(i));
        }

        write(rows, TableSinks.screenDropoff(options("streaming")), ScreenDropoffRow.class);

        assertThat(table("once")).isEqualTo(expected(latest));
        // the server's statistics arrive when the sink's connection has closed: every key inserted once, no update
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(db.query(
                "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'screen_dropoff'")).containsExactly(ROWS + ""));
        assertThat(db.query("SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'screen_dropoff'"))
                .as("a superseded row is not written").containsExactly("0");
    }

    @Test
    @Timeout(120)
    void theGuardStillRefusesLowerCountsAndNamesTheirKeys() throws Exception {
        List<ScreenDropoffRow> first = IntStream.range(0, ROWS).mapToObj(i -> dropoff("guard", i, 100)).toList();
        write(first, TableSinks.screenDropoff(options("streaming")), ScreenDropoffRow.class);

        List<Integer> lower = List.of(3, 300, 599);
        List<ScreenDropoffRow> second = IntStream.range(0, ROWS)
                .mapToObj(i -> dropoff("guard", i, lower.contains(i) ? 50 : 200)).toList();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger sinkLog = (Logger) LoggerFactory.getLogger(GuardedUpsertSink.class);
        sinkLog.addAppender(logged);
        try {
            write(second, TableSinks.screenDropoff(options("streaming")), ScreenDropoffRow.class);
        } finally {
            sinkLog.detachAppender(logged);
        }

        List<ScreenDropoffRow> kept = IntStream.range(0, ROWS)
                .mapToObj(i -> lower.contains(i) ? first.get(i) : second.get(i)).toList();
        assertThat(table("guard")).isEqualTo(expected(kept));
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .startsWith("screen_dropoff sink REFUSED 3 write(s)")
                .contains("guard|" + COHORT + "|S3", "guard|" + COHORT + "|S300", "guard|" + COHORT + "|S599");
    }

    @Test
    @Timeout(120)
    void leadScoresAreWrittenWithoutAGuardAndMayGoDown() throws Exception {
        List<LeadScoreRow> high = IntStream.range(0, ROWS)
                .mapToObj(i -> new LeadScoreRow("w" + i, 80, "hot", List.of("a"), 3, 2, 0, COHORT)).toList();
        List<LeadScoreRow> low = IntStream.range(0, ROWS)
                .mapToObj(i -> new LeadScoreRow("w" + i, 10 + i % 7, "cold", List.of("a", "b \"quoted\""), 1, 0, 1, COHORT + i))
                .toList();
        write(high, TableSinks.leadScores(options("streaming")), LeadScoreRow.class);
        write(low, TableSinks.leadScores(options("streaming")), LeadScoreRow.class);

        assertThat(db.query("SELECT wa_id, score, tier, reasons::text, sessions, completed_sessions, stale_sessions, updated_at "
                + "FROM lead_scores ORDER BY wa_id")).isEqualTo(low.stream()
                .sorted(java.util.Comparator.comparing(LeadScoreRow::waId))
                .map(r -> r.waId() + "|" + r.score() + "|cold|[\"a\", \"b \\\"quoted\\\"\"]|1|0|1|"
                        + java.time.Instant.ofEpochMilli(r.updatedAt()))
                .toList());
    }
}
