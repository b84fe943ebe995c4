package io.flowgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The files of the docker-compose stack, read as the tools that load them would: YAML, JSON, PromQL names. */
final class StackFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    // a metric name in PromQL: not a label (followed by =, !, ~), not a function (followed by '(')
    private static final Pattern METRIC = Pattern.compile("\\b((?:flowgate|flink)_[A-Za-z0-9_]+|up)\\b(?!\\s*[(=!~])");
    private static final Pattern SELECTOR = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");

    private StackFiles() {
    }

    /** The dashboards module (surefire sets it; the working directory otherwise). */
    static Path module() {
        return Paths.get(System.getProperty("flowgate.dashboards.dir", ".")).toAbsolutePath().normalize();
    }

    static Path repository() {
        return module().getParent();
    }

    static JsonNode yaml(Path file) {
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                throw new IllegalStateException(file + " is empty");
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid YAML", e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + " is not valid JSON", e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The metric names a PromQL expression reads. */
    static Set<String> metricNames(String promql) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** A label matcher of a selector: {@code outcome=~"a|b"} on {@code flowgate_ingest_webhooks_total}. */
    record LabelMatcher(String metric, String label, String operator, String value) {
        List<String> values() {
            return operator.endsWith("~") ? List.of(value.split("\\|")) : List.of(value);
        }
    }

    static List<LabelMatcher> labelMatchers(String promql) {
        List<LabelMatcher> matchers = new ArrayList<>();
        Matcher selector = SELECTOR.matcher(promql);
        while (selector.find()) {
            Matcher m = MATCHER.matcher(selector.group(2));
            while (m.find()) {
                matchers.add(new LabelMatcher(selector.group(1), m.group(1), m.group(2), m.group(3)));
            }
        }
        return matchers;
    }

    /** Every PromQL expression of the alert rules. */
    static List<String> alertExpressions() {
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : yaml(module().resolve("prometheus/alerts.yml")).get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                expressions.add(rule.get("expr").asText());
            }
        }
        return expressions;
    }

    /** Every target of every panel of a Grafana dashboard file. */
    static List<JsonNode> targets(JsonNode dashboard) {
        List<JsonNode> targets = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            panel.path("targets").forEach(targets::add);
        }
        return targets;
    }
}
