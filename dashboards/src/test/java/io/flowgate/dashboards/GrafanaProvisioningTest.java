package io.flowgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.flowgate.dashboards.StackFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Grafana's provisioning: the data sources the dashboards name exist, no secret is written in the files,
 * and every SQL query of the analytics dashboard runs against the real schema and finds the rows the
 * Flink jobs would have written, with Grafana's macros and variables replaced as Grafana replaces them.
 */
class GrafanaProvisioningTest {

    private static final Path GRAFANA = module().resolve("grafana");
    // what a Grafana variable would hold for the fixtures: the busiest Flow, its newest cohort, the busiest series
    private static final Map<String, String> VARIABLES = Map.of(
            "flow", AnalyticsFixtures.FLOW,
            "cohort", "2026-11-02T11:00:00Z",
            "series", AnalyticsFixtures.BUSY_SCREEN + "|" + AnalyticsFixtures.BUSY_ACTION);
    private static final Pattern TIME_FILTER = Pattern.compile("\\$__timeFilter\\((\\w+)\\)");
    private static final Pattern TIME_GROUP = Pattern.compile("\\$__timeGroupAlias\\((\\w+),\\s*'(\\d+)m'\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+):sqlstring}");

    private static DataSource data;

    @BeforeAll
    static void database() throws SQLException {
        data = AnalyticsFixtures.migratedDatabase("dashboard_grafana");
        AnalyticsFixtures.insertAll(data);
    }

    @Test
    void theDataSourcesTheDashboardsNameAreProvisionedWithoutSecretsInTheFile() {
        JsonNode datasources = yaml(GRAFANA.resolve("provisioning/datasources/flowgate.yml"));
        Set<String> uids = new HashSet<>();
        for (JsonNode source : datasources.get("datasources")) {
            uids.add(source.get("uid").asText());
        }
        assertThat(uids).containsExactlyInAnyOrder("flowgate-postgres", "flowgate-prometheus");
        JsonNode postgres = datasources.get("datasources").get(0);
        assertThat(postgres.get("type").asText()).isEqualTo("grafana-postgresql-datasource");
        assertThat(postgres.at("/secureJsonData/password").asText()).isEqualTo("${FLOWGATE_GRAFANA_DB_PASSWORD}");
        assertThat(postgres.get("user").asText()).startsWith("${");

        for (Path file : dashboardFiles()) {
            JsonNode dashboard = json(file);
            for (JsonNode panel : dashboard.get("panels")) {
                if (panel.has("datasource")) {
                    assertThat(uids).as("%s: %s", file.getFileName(), panel.get("title").asText())
                            .contains(panel.at("/datasource/uid").asText());
                }
            }
            targets(dashboard).forEach(target -> assertThat(uids).contains(target.at("/datasource/uid").asText()));
            dashboard.at("/templating/list").forEach(variable ->
                    assertThat(uids).contains(variable.at("/datasource/uid").asText()));
        }
    }

    @Test
    void theDashboardProviderLoadsTheFolderComposeMounts() {
        JsonNode provider = yaml(GRAFANA.resolve("provisioning/dashboards/flowgate.yml")).get("providers").get(0);
        assertThat(provider.get("type").asText()).isEqualTo("file");
        assertThat(provider.at("/options/path").asText()).isEqualTo("/etc/grafana/dashboards");
        assertThat(read(repository().resolve("docker-compose.yml")))
                .contains("./dashboards/grafana/dashboards:/etc/grafana/dashboards:ro")
                .contains("./dashboards/grafana/provisioning:/etc/grafana/provisioning:ro");
    }

    @Test
    void everyDashboardIsWellFormed() {
        Set<String> uids = new HashSet<>();
        for (Path file : dashboardFiles()) {
            JsonNode dashboard = json(file);
            assertThat(uids.add(dashboard.get("uid").asText())).as("uid of %s is unique", file).isTrue();
            assertThat(dashboard.get("title").asText()).isNotBlank();
            assertThat(dashboard.get("schemaVersion").asInt()).isPositive();
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : dashboard.get("panels")) {
                String title = file.getFileName() + ": " + panel.get("title").asText();
                assertThat(ids.add(panel.get("id").asInt())).as("panel id of %s", title).isTrue();
                JsonNode grid = panel.get("gridPos");
                assertThat(grid.get("x").asInt() + grid.get("w").asInt()).as(title).isLessThanOrEqualTo(24);
                if (!panel.get("type").asText().equals("row")) {
                    assertThat(panel.get("targets")).as(title).isNotEmpty();
                    assertThat(panel.path("description").asText()).as(title).isNotBlank();
                    Set<String> refIds = new HashSet<>();
                    panel.get("targets").forEach(t -> assertThat(refIds.add(t.get("refId").asText())).as(title).isTrue());
                }
            }
        }
        assertThat(uids).containsExactlyInAnyOrder("flowgate-analytics", "flowgate-services");
    }

    @Test
    void theAnalyticsDashboardShowsTheBuiltInDashboardsViews() {
        String queries = String.join("\n", analyticsQueries());
        for (String table : List.of("screen_dropoff", "endpoint_latency", "latency_alerts", "latency_alert_rules",
                "stale_sessions", "lead_scores", "hot_inventory")) {
            assertThat(queries).as("a panel reads " + table).containsPattern("(FROM|JOIN) " + table + "\\b");
        }
    }

    @Test
    void everyAnalyticsQueryRunsOnTheSchemaAndFindsTheRows() throws SQLException {
        List<String> queries = analyticsQueries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(14);
        try (Connection c = data.getConnection(); Statement statement = c.createStatement()) {
            for (String query : queries) {
                String sql = asGrafanaRunsIt(query);
                try (ResultSet rs = statement.executeQuery(sql)) {
                    assertThat(rs.next()).as("rows of\n%s", sql).isTrue();
                } catch (SQLException e) {
                    throw new AssertionError("Grafana's query fails on the schema:\n" + sql, e);
                }
            }
        }
    }

    @Test
    void theVariablesOfferTheBusiestFlowAndSeriesFirst() throws SQLException {
        JsonNode variables = json(GRAFANA.resolve("dashboards/flowgate-analytics.json")).at("/templating/list");
        try (Connection c = data.getConnection(); Statement statement = c.createStatement()) {
            assertThat(firstValue(statement, variables.get(0))).isEqualTo(AnalyticsFixtures.FLOW);
            assertThat(firstValue(statement, variables.get(1))).isEqualTo(VARIABLES.get("cohort"));
            try (ResultSet rs = statement.executeQuery(asGrafanaRunsIt(variables.get(2).get("query").asText()))) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("__value")).isEqualTo(VARIABLES.get("series"));
                assertThat(rs.getString("__text")).isEqualTo("WELCOME / data_exchange");
            }
        }
    }

    private static String firstValue(Statement statement, JsonNode variable) throws SQLException {
        try (ResultSet rs = statement.executeQuery(asGrafanaRunsIt(variable.get("query").asText()))) {
            assertThat(rs.next()).as(variable.get("name").asText()).isTrue();
            return rs.getString(1);
        }
    }

    /** Grafana's macros and ${var:sqlstring} replaced the way Grafana expands them, over the fixtures' day. */
    private static String asGrafanaRunsIt(String query) {
        String sql = TIME_FILTER.matcher(query).replaceAll(
                "$1 BETWEEN '2026-11-02T00:00:00Z'::timestamptz AND '2026-11-03T00:00:00Z'::timestamptz");
        Matcher group = TIME_GROUP.matcher(sql);
        StringBuilder grouped = new StringBuilder();
        while (group.find()) {
            int seconds = Integer.parseInt(group.group(2)) * 60;
            group.appendReplacement(grouped, "floor(extract(epoch FROM " + group.group(1) + ")/" + seconds + ")*"
                    + seconds + " AS \"time\"");
        }
        group.appendTail(grouped);
        Matcher variable = VARIABLE.matcher(grouped.toString());
        StringBuilder expanded = new StringBuilder();
        while (variable.find()) {
            String value = VARIABLES.get(variable.group(1));
            assertThat(value).as("value of variable %s", variable.group(1)).isNotNull();
            variable.appendReplacement(expanded, Matcher.quoteReplacement("'" + value.replace("'", "''") + "'"));
        }
        variable.appendTail(expanded);
        assertThat(expanded.toString()).as("a macro or variable this test does not know").doesNotContain("$");
        return expanded.toString();
    }

    private static List<String> analyticsQueries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode target : targets(json(GRAFANA.resolve("dashboards/flowgate-analytics.json")))) {
            assertThat(target.at("/datasource/uid").asText()).isEqualTo("flowgate-postgres");
            queries.add(target.get("rawSql").asText());
        }
        return queries;
    }

    private static List<Path> dashboardFiles() {
        try (Stream<Path> files = Files.list(GRAFANA.resolve("dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
