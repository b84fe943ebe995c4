package io.flowgate.routing.system;

import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A PostgreSQL connection of its own, outside the pool, for a long-lived session (LISTEN, an advisory
 * lock): named, so that it can be found in {@code pg_stat_activity}, with TCP keepalive, and with a
 * socket timeout so that a server that vanished without closing the socket cannot hang its reader.
 */
public final class DedicatedConnection {

    private DedicatedConnection() {
    }

    /**
     * @param applicationName      its {@code application_name}
     * @param socketTimeoutSeconds the longest any read may block; longer than any statement it runs
     */
    public static Connection open(DataSourceProperties database, String applicationName, int socketTimeoutSeconds)
            throws SQLException {
        Properties props = new Properties();
        if (database.determineUsername() != null) {
            props.setProperty("user", database.determineUsername());
        }
        if (database.determinePassword() != null) {
            props.setProperty("password", database.determinePassword());
        }
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        return DriverManager.getConnection(database.determineUrl(), props);
    }
}
