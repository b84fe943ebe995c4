package io.flowgate.routing.system;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures count as "the database cannot be reached or was lost", however they are wrapped. */
class DatabaseOutageClassificationTest {

    @Test
    void lostConnectionsAreOutagesInEveryWrapping() {
        assertThat(DatabaseOutage.isOutage(new CannotGetJdbcConnectionException("pool",
                new SQLTransientConnectionException("Connection is not available, request timed out after 3000ms")))).isTrue();
        assertThat(DatabaseOutage.isOutage(new UncategorizedSQLException("select", "select 1",
                new SQLException("terminating connection due to administrator command", "57P01")))).isTrue();
        assertThat(DatabaseOutage.isOutage(new UncategorizedSQLException("update", "update",
                new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE)))).isTrue();
        assertThat(DatabaseOutage.isOutage(new IllegalStateException(new SQLException("refused", "x", new ConnectException())))).isTrue();

        TransactionSystemException rollbackFailed = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed"));
        assertThat(DatabaseOutage.isOutage(rollbackFailed)).as("Hikari's closed connection has no SQLState").isTrue();

        TransactionSystemException hiding = new TransactionSystemException("Could not roll back");
        hiding.initApplicationException(new UncategorizedSQLException("select", "select 1",
                new SQLException("the database system is shutting down", "57P03")));
        assertThat(DatabaseOutage.isOutage(hiding)).isTrue();
    }

    @Test
    void whatTheCallerOrTheCodeGotWrongIsNoOutage() {
        assertThat(DatabaseOutage.isOutage(new DataIntegrityViolationException("duplicate key",
                new PSQLException("duplicate key", PSQLState.UNIQUE_VIOLATION)))).isFalse();
        assertThat(DatabaseOutage.isOutage(new UncategorizedSQLException("insert", "insert",
                new SQLException("unsupported Unicode escape sequence", "22P05")))).isFalse();
        assertThat(DatabaseOutage.isOutage(new IllegalStateException("a bug"))).isFalse();
        assertThat(DatabaseOutage.isOutage(new java.io.UncheckedIOException(new java.io.IOException("client went away",
                new java.net.SocketException("Broken pipe"))))).as("a client that hung up").isFalse();
        assertThat(DatabaseOutage.isOutage(new TransactionSystemException("no transaction in progress"))).isFalse();
    }
}
