package io.flowgate.routing.system;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Plain JDBC with {@code ?} parameters on the connection of the caller's Spring transaction (the one
 * {@code JdbcClient} would use: {@link DataSourceUtils}, so the transaction, its commit and rollback stay
 * Spring's), for the few statements of the Flow endpoint's hot path (issue 12): no named-parameter parsing,
 * parameter source, statement creator or row-mapper objects per call. Errors are translated by the
 * {@link JdbcTemplate}'s own translator, so callers see the same {@link DataAccessException}s as before.
 * Everywhere else {@code JdbcClient} stays the way to write SQL.
 */
@Component
public class PlainJdbc {

    /** Binds a statement's parameters. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Reads a whole result set. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private final DataSource dataSource;
    private final SQLExceptionTranslator translator;

    PlainJdbc(JdbcTemplate template) {
        this.dataSource = template.getDataSource();
        this.translator = template.getExceptionTranslator();
    }

    public <T> T query(String sql, Binder binder, Reader<T> reader) {
        Connection con = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = con.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw translate(sql, e);
        } finally {
            DataSourceUtils.releaseConnection(con, dataSource);
        }
    }

    /** Runs an {@code INSERT}, {@code UPDATE} or {@code DELETE}; returns the rows it touched. */
    public int update(String sql, Binder binder) {
        Connection con = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = con.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw translate(sql, e);
        } finally {
            DataSourceUtils.releaseConnection(con, dataSource);
        }
    }

    private DataAccessException translate(String sql, SQLException e) {
        DataAccessException translated = translator.translate("PlainJdbc", sql, e);
        return translated != null ? translated : new UncategorizedSQLException("PlainJdbc", sql, e);
    }
}
