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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A JDBC upsert sink whose statement may refuse a row: {@code INSERT … ON CONFLICT (key) DO UPDATE SET …
 * WHERE guard}. PostgreSQL reports a refused row as 0 rows changed; this sink counts those and says so in
 * the log, because a refusal means the job wanted to write something the table contradicts — typically a
 * job that started from scratch by mistake and would lower counts an earlier run wrote (docs/analytics.md,
 * "Sinks that refuse to go back"). A job restored from a checkpoint sees refusals too while it replays what
 * it had written after that checkpoint; those are expected and logged at INFO.
 *
 * <p>At-least-once like Flink's JdbcSink: rows are batched ({@code --sink-batch-size} keys, at most
 * {@code --sink-flush-interval} old) and flushed at every checkpoint and at the end of input; a failed flush is
 * retried three times on a new connection before the task fails. Of several rows with the same key in one flush
 * only the latest is written (the rows are absolute values, so the earlier ones would be overwritten at once).
 * A flush is one transaction of multi-row statements ({@code VALUES (…), (…), …}, up to {@link #MAX_ROWS} rows
 * each) rather than a statement per row: PostgreSQL plans and runs a statement, its triggers' bookkeeping and
 * the client's round trip once per statement. Without a guard it is a plain upsert ({@code lead_scores}).
 */
final class GuardedUpsertSink<T> implements Sink<T> {

    private static final Logger log = LoggerFactory.getLogger(GuardedUpsertSink.class);
    private static final int MAX_RETRIES = 3;
    private static final int LOGGED_KEYS = 5;
    /** Rows per statement at most (pgjdbc's batch rewrite stops at 128; the parameters stay far below 32,767). */
    static final int MAX_ROWS_LOG2 = 8;
    static final int MAX_ROWS = 1 << MAX_ROWS_LOG2;

    /** The key of a row in its table; a guarded sink's key appears in its refusal message (never personal data). */
    interface RowKey<T> extends Function<T, String>, Serializable {
    }

    private final String table;
    private final boolean guarded;
    /** The statement up to its one {@code VALUES} tuple, the tuple, and what follows it. */
    private final String head;
    private final String tuple;
    private final String tail;
    private final int parameters;
    private final JdbcStatementBuilder<T> binder;
    private final RowKey<T> key;
    private final String url;
    private final String user;
    private final String password;
    private final int batchSize;
    private final long flushIntervalMillis;

    /**
     * @param sql     {@code INSERT INTO table (columns) VALUES (?, …) ON CONFLICT …}, one row's statement: the sink
     *                repeats its {@code VALUES} tuple to write many rows at once
     * @param guarded whether {@code sql} may refuse a row (a {@code WHERE} guard): the sink says so at start
     * @param key     the row's key in the table: of two rows with the same key in one flush only the later is written
     */
    GuardedUpsertSink(String table, String sql, boolean guarded, JdbcStatementBuilder<T> binder, RowKey<T> key,
                      AnalyticsOptions options) {
        this.table = table;
        this.guarded = guarded;
        int values = sql.indexOf("VALUES (");
        int end = sql.indexOf(')', values);
        if (values < 0 || end < 0) {
            throw new IllegalArgumentException("not an INSERT … VALUES (…) statement: " + sql);
        }
        this.head = sql.substring(0, values + "VALUES ".length());
        this.tuple = sql.substring(values + "VALUES ".length(), end + 1);
        this.tail = sql.substring(end + 1);
        this.parameters = (int) tuple.chars().filter(c -> c == '?').count();
        this.binder = binder;
        this.key = key;
        this.url = options.jdbcUrl();
        this.user = options.jdbcUser();
        this.password = options.jdbcPassword();
        this.batchSize = Math.max(1, options.sinkBatchSize());
        this.flushIntervalMillis = Math.max(1, options.sinkFlushInterval().toMillis());
    }

    /** The statement writing {@code rows} rows: the {@code VALUES} tuple that many times. */
    String multiRow(int rows) {
        StringBuilder sql = new StringBuilder(head.length() + tail.length() + rows * (tuple.length() + 2)).append(head);
        for (int i = 0; i < rows; i++) {
            sql.append(i > 0 ? ", " : "").append(tuple);
        }
        return sql.append(tail).toString();
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
        /** The latest row per key since the last flush: a row superseded before it was written is not written. */
        private final Map<String, T> pending = new LinkedHashMap<>();
        private Connection connection;
        /** The statement for 2^i rows at index i, prepared on first use on this connection. */
        private final PreparedStatement[] statements = new PreparedStatement[MAX_ROWS_LOG2 + 1];
        private boolean flushScheduled;
        private long refusedTotal;

        Writer(boolean restored, ProcessingTimeService time, int subtask) {
            this.restored = restored;
            this.time = time;
            this.subtask = subtask;
            if (!restored && guarded) {
                log.info("{} sink (subtask {}): this job did not restore state; rows the table already holds "
                        + "are not lowered by it", table, subtask);
            }
        }

        @Override
        public void write(T element, Context context) throws IOException {
            pending.put(key.apply(element), element);
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
            List<T> rows = new ArrayList<>(pending.values());
            for (int attempt = 0; ; attempt++) {
                try {
                    refused(execute(rows));
                    pending.clear();
                    return;
                } catch (SQLException e) {
                    closeConnection();
                    if (attempt >= MAX_RETRIES) {
                        throw new IOException("writing " + rows.size() + " row(s) to " + table + " failed", e);
                    }
                    log.warn("{} sink: writing {} row(s) failed ({}), retrying", table, rows.size(), e.toString());
                    try {
                        Thread.sleep(1000L * (attempt + 1));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while retrying a write to " + table, interrupted);
                    }
                }
            }
        }

        /**
         * Writes the rows in one transaction, in statements of up to {@link #MAX_ROWS} rows each (sizes powers of
         * two, so a handful of prepared statements serve every flush). A statement that changed fewer rows than
         * it carried had some refused: its rows are written again one by one, in the same transaction, to find
         * which (every write is absolute and a guard lets the same values through, so the rows it did write
         * stay as they are).
         */
        private List<T> execute(List<T> rows) throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(url, user, password);
                connection.setAutoCommit(false);
            }
            List<T> refused = new ArrayList<>();
            int done = 0;
            while (done < rows.size()) {
                int log2 = 31 - Integer.numberOfLeadingZeros(Math.min(rows.size() - done, MAX_ROWS));
                int size = 1 << log2;
                PreparedStatement statement = statement(log2);
                for (int i = 0; i < size; i++) {
                    binder.accept(Parameters.shifted(statement, i * parameters), rows.get(done + i));
                }
                if (statement.executeUpdate() < size) {
                    refused.addAll(oneByOne(rows.subList(done, done + size)));
                }
                done += size;
            }
            connection.commit();
            return refused;
        }

        private List<T> oneByOne(List<T> rows) throws SQLException {
            PreparedStatement single = statement(0);
            List<T> refused = new ArrayList<>();
            for (T row : rows) {
                binder.accept(single, row);
                if (single.executeUpdate() == 0) {
                    refused.add(row);
                }
            }
            return refused;
        }

        private PreparedStatement statement(int log2) throws SQLException {
            if (statements[log2] == null) {
                statements[log2] = connection.prepareStatement(multiRow(1 << log2));
            }
            return statements[log2];
        }

        private void refused(List<T> refused) {
            if (refused.isEmpty()) {
                return;
            }
            refusedTotal += refused.size();
            List<String> keys = guarded ? refused.stream().limit(LOGGED_KEYS).map(key).toList() : List.of();
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
            Arrays.fill(statements, null);
        }
    }

    /** A statement seen through a binder written for one row: its parameter indexes shifted to a later row's. */
    static final class Parameters {

        private Parameters() {
        }

        static PreparedStatement shifted(PreparedStatement statement, int by) {
            if (by == 0) {
                return statement;
            }
            return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("set") && args != null && args.length >= 2
                                && method.getParameterTypes()[0] == int.class) {
                            args[0] = (Integer) args[0] + by;
                        }
                        try {
                            return method.invoke(statement, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
