package io.flowgate.analytics.functions;

import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Reads a whole (small) PostgreSQL table each time it is asked, for a {@code DataGeneratorSource} whose
 * rate limiter asks once per poll interval. That turns ops-owned tables (alert rules, inventory) into
 * streams that the job broadcasts, so a change in the table reaches the running job without a restart.
 * One connection is kept open between polls and replaced when it breaks.
 */
public abstract class TableSnapshotReader<T> implements GeneratorFunction<Long, T> {

    private static final int VALID_CHECK_SECONDS = 2;

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private transient Connection connection;

    protected TableSnapshotReader(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        // connect lazily in map(): a database that is down at start fails the poll, not the operator setup
    }

    @Override
    public T map(Long poll) throws SQLException {
        try {
            return read(connection());
        } catch (SQLException first) {
            // a connection dropped between polls: one retry on a fresh connection, then let Flink restart
            closeQuietly();
            return read(connection());
        }
    }

    /** Reads the snapshot; the connection is in auto-commit mode. */
    protected abstract T read(Connection connection) throws SQLException;

    private Connection connection() throws SQLException {
        if (connection == null || !connection.isValid(VALID_CHECK_SECONDS)) {
            closeQuietly();
            connection = DriverManager.getConnection(jdbcUrl, user, password == null ? "" : password);
            connection.setReadOnly(true);
        }
        return connection;
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing left to release
            }
            connection = null;
        }
    }
}
