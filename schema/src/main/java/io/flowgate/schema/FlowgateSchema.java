package io.flowgate.schema;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database schema: creates the database when it is missing and applies the Flyway migrations in
 * {@code classpath:db/migration}, in one increasing sequence (V1, V2, …), strictly in order. routing-api,
 * the analytics job's tests, the dashboard and the launcher all migrate through {@link #migrate}: one
 * configuration of one schema. Migrations are append-only: a released migration is never edited or
 * renumbered; a change is a new migration with the next number.
 */
public final class FlowgateSchema {

    private static final Logger log = LoggerFactory.getLogger(FlowgateSchema.class);
    private static final Pattern PG_URL = Pattern.compile("^(jdbc:postgresql://[^/]*/)([^?]+)(\\?.*)?$");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** Where the migrations are on the class path. */
    public static final String LOCATION = "classpath:db/migration";

    private FlowgateSchema() {
    }

    /** Applies all pending migrations; returns how many were applied. */
    public static int migrate(DataSource dataSource) {
        int applied = Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .load()
                .migrate()
                .migrationsExecuted;
        if (applied > 0) {
            log.info("database schema: {} migration(s) applied", applied);
        }
        return applied;
    }

    /**
     * Creates the database named in a PostgreSQL JDBC URL if it does not exist, connecting to the
     * server's {@code postgres} database to do so. Does nothing when the database exists.
     */
    public static void createDatabaseIfMissing(String jdbcUrl, String user, String password) throws SQLException {
        Matcher m = PG_URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host/database URL: " + jdbcUrl);
        }
        String database = m.group(2);
        if (!SAFE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("database name must be letters, digits and underscores: " + database);
        }
        String adminUrl = m.group(1) + "postgres" + (m.group(3) == null ? "" : m.group(3));
        try (Connection c = DriverManager.getConnection(adminUrl, user, password == null ? "" : password);
             var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (var rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (var create = c.createStatement()) {
                create.execute("CREATE DATABASE \"" + database + "\"");
                log.info("created database {}", database);
            } catch (SQLException e) {
                // another instance created it at the same moment: that is fine
                if (!"42P04".equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }
}
