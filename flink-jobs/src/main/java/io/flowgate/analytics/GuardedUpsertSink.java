package io.flowgate.analytics;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A JDBC upsert sink whose statement may refuse a row: {@code INSERT … ON CONFLICT (key) DO UPDATE SET …
 * WHERE guard}. PostgreSQL reports a refused row as 0 rows changed; this sink counts those and says so in
 * the log, because a refusal means the job wanted to write something the table contradicts — typically a
 * job that started from scratch by mistake and would lower counts an earlier run wrote (docs/analytics.md,
 * "Sinks that refuse to go back"). A job restored from a checkpoint sees refusals too while it replays what
 * it had written after that checkpoint; those are expected and logged at INFO.
 *
 * <p>At-least-once like Flink's JdbcSink: rows are batched ({@code --sink-batch-size}, at most
 * {@code --sink-flush-interval} old) and flushed at every checkpoint; a failed batch is retried three times
 * on a new connection before the task fails.
 */
final class GuardedUpsertSink<T> implements Sink<T> {

    private static final Logger log = LoggerFactory.getLogger(GuardedUpsertSink.class);
    private static final int MAX_RETRIES = 3;
    private static final int LOGGED_KEYS = 5;

    /** The key of a row, as it appears in the refusal message (never personal data). */
    interface RowKey<T> extends Function<T, String>, Serializable {
    }

    private final String table;
    private final String sql;
    private final JdbcStatementBuilder<T> binder;
    private final RowKey<T> key;
    private final String url;
    private final String user;
    private final String password;
    private final int batchSize;
    private final long flushIntervalMillis;

    GuardedUpsertSink(String table, String sql, JdbcStatementBuilder<T> binder, RowKey<T> key, AnalyticsOptions options) {
        this.table = table;
        this.sql = sql;
        this.binder = binder;
        this.key = key;
        this.url = options.jdbcUrl();
        this.user = options.jdbcUser();
        this.password = options.jdbcPassword();
        this.batchSize = Math.max(1, options.sinkBatchSize());
        this.flushIntervalMillis = Math.max(1, options.sinkFlushInterval().toMillis());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new Writer(context.getRestoredCheckpointId().isPresent(), context.getProcessingTimeService(),
                context.getTaskInfo().getIndexOfThisSubtask());
    }

    private final class Writer implements SinkWriter<T> {

        private final boolean restored;
        private final ProcessingTimeService time;
        private final int subtask;
        private final List<T> pending = new ArrayList<>();
        private Connection connection;
        private PreparedStatement statement;
        private boolean flushScheduled;
        private long refusedTotal;

        Writer(boolean restored, ProcessingTimeService time, int subtask) {
            this.restored = restored;
            this.time = time;
            this.subtask = subtask;
            if (!restored) {
                log.info("{} sink (subtask {}): this job did not restore state; rows the table already holds "
                        + "are not lowered by it", table, subtask);
            }
        }

        @Override
        public void write(T element, Context context) throws IOException {
            pending.add(element);
            if (pending.size() >= batchSize) {
                flushPending();
            } else if (!flushScheduled) {
                flushScheduled = true;
                time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMillis, at -> {
                    flushScheduled = false;
                    flushPending();
                });
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            flushPending();
        }

        private void flushPending() throws IOException {
            if (pending.isEmpty()) {
                return;
            }
            for (int attempt = 0; ; attempt++) {
                try {
                    refused(execute());
                    pending.clear();
                    return;
                } catch (SQLException e) {
                    closeConnection();
                    if (attempt >= MAX_RETRIES) {
                        throw new IOException("writing " + pending.size() + " row(s) to " + table + " failed", e);
                    }
                    log.warn("{} sink: writing {} row(s) failed ({}), retrying", table, pending.size(), e.toString());
                    try {
                        Thread.sleep(1000L * (attempt + 1));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while retrying a write to " + table, interrupted);
                    }
                }
            }
        }

        private List<T> execute() throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(url, user, password);
                connection.setAutoCommit(true);
                statement = connection.prepareStatement(sql);
            }
            for (T row : pending) {
                binder.accept(statement, row);
                statement.addBatch();
            }
            int[] counts = statement.executeBatch();
            List<T> refused = new ArrayList<>();
            for (int i = 0; i < counts.length && i < pending.size(); i++) {
                if (counts[i] == 0) {
                    refused.add(pending.get(i));
                }
            }
            return refused;
        }

        private void refused(List<T> refused) {
            if (refused.isEmpty()) {
                return;
            }
            refusedTotal += refused.size();
            List<String> keys = refused.stream().limit(LOGGED_KEYS).map(key).toList();
            if (restored) {
                log.info("{} sink: kept {} row(s) that already hold later values (replay after a restore), e.g. {}",
                        table, refused.size(), keys);
            } else {
                log.warn("{} sink REFUSED {} write(s) ({} so far) that would lower or rewrite what the table holds, "
                        + "e.g. {}: this job did not restore state. Resume it from its latest checkpoint or savepoint "
                        + "(docs/operations.md); a deliberate correction is a batch recompute (docs/analytics.md)",
                        table, refused.size(), refusedTotal, keys);
            }
        }

        @Override
        public void close() throws Exception {
            closeConnection();
        }

        private void closeConnection() {
            try {
                if (connection != null) {
                    connection.close();
                }
            } catch (SQLException ignored) {
                // the connection is being dropped anyway
            }
            connection = null;
            statement = null;
        }
    }
}
