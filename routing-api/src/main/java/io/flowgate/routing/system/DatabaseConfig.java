package io.flowgate.routing.system;

import com.zaxxer.hikari.HikariDataSource;
import io.flowgate.schema.FlowgateSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.sql.SQLException;

/**
 * The connection pool, after making sure the database exists: {@code FLOWGATE_DB_URL} may name a
 * database that is not created yet, and a fresh server should just work. Spring's Flyway start-up step
 * then migrates it through {@link FlowgateSchema#migrate}, the same code the tests and the other modules
 * use, so there is one configuration of the schema.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfig {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfig.class);

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(DataSourceProperties properties) {
        try {
            FlowgateSchema.createDatabaseIfMissing(properties.getUrl(), properties.getUsername(), properties.getPassword());
        } catch (SQLException | IllegalArgumentException e) {
            // The pool will report the real problem (or succeed, if the database exists but the
            // postgres maintenance database is not reachable for this role).
            log.warn("could not check or create the database of {}: {}", properties.getUrl(), e.getMessage());
        }
        return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
    }

    /** Spring keeps the ordering (everything that uses the database waits for it); the migration is ours. */
    @Bean
    FlywayMigrationStrategy flowgateSchemaMigration() {
        return flyway -> FlowgateSchema.migrate(flyway.getConfiguration().getDataSource());
    }
}
