package io.flowgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.flowgate.dashboards.StackFiles.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docker-compose.yml, checked without a Docker engine: the production shape is all there, starts in
 * order on health checks, configures the APIs only with the README's variables, keeps secrets in .env,
 * mounts files that exist, and docker-compose itself accepts it ({@code docker-compose config}).
 */
class ComposeFileTest {

    private static final Path COMPOSE = repository().resolve("docker-compose.yml");
    private static final Path ENV_EXAMPLE = repository().resolve(".env.example");
    /** Services that run once and exit; every other service must have a health check. */
    private static final Set<String> ONE_SHOT = Set.of("volume-init", "flink-job-submit", "db-grants");
    private static final Pattern README_VARIABLE = Pattern.compile("`([A-Z][A-Z0-9_]+)`");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:?[-?][^}]*)?}");

    private final JsonNode compose = yaml(COMPOSE);
    private final JsonNode services = compose.get("services");

    @Test
    void theProductionShapeIsThere() {
        assertThat(names(services)).contains("kafka", "postgres", "jobmanager", "taskmanager", "flink-job-submit",
                "routing-api", "ingest-api", "prometheus", "grafana");
        assertThat(image("kafka")).startsWith("apache/kafka:3.");
        assertThat(image("postgres")).startsWith("postgres:");
        for (String flink : List.of("jobmanager", "taskmanager", "flink-job-submit")) {
            assertThat(image(flink)).as(flink).startsWith("flink:2.0.").endsWith("-java17");
        }
        assertThat(services.at("/jobmanager/command").asText()).isEqualTo("jobmanager");
        assertThat(services.at("/taskmanager/command").asText()).isEqualTo("taskmanager");
        assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(services.at("/routing-api/build").asText()).isEqualTo("./routing-api");
        assertThat(services.at("/ingest-api/build").asText()).isEqualTo("./ingest-api");
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            if (service.getValue().has("image")) {
                assertThat(service.getValue().get("image").asText()).as(service.getKey() + " pins its image")
                        .contains(":").doesNotEndWith(":latest");
            }
        }
    }

    @Test
    void theFlinkJobIsSubmittedFromTheBuiltJarWithItsOptions() {
        JsonNode submit = services.get("flink-job-submit");
        assertThat(submit.get("volumes")).extracting(JsonNode::asText).contains("./flink-jobs/target:/opt/flowgate/jobs:ro");
        String script = submit.get("command").get(0).asText();
        assertThat(script).contains("flink-jobs-*-job.jar", "--kafka-bootstrap kafka:19092",
                "--jdbc-url jdbc:postgresql://postgres:5432/flowgate", "--jdbc-user", "--jdbc-password", "--parallelism",
                "list --running", "flowgate-analytics");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            String properties = services.at("/" + flink + "/environment/FLINK_PROPERTIES").asText();
            assertThat(properties).as(flink).contains("jobmanager.rpc.address: jobmanager",
                    "metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                    "metrics.reporter.prom.port: 9249", "execution.checkpointing.dir: file:///flink-data/checkpoints");
        }
    }

    @Test
    void everyLongRunningServiceHasAHealthCheck() {
        for (String name : names(services)) {
            JsonNode test = services.at("/" + name + "/healthcheck/test");
            if (ONE_SHOT.contains(name)) {
                assertThat(test.isMissingNode()).as(name + " runs once").isTrue();
                assertThat(services.at("/" + name + "/restart").asText()).as(name).isIn("no", "on-failure");
            } else {
                assertThat(test.isArray() && !test.isEmpty()).as(name + " has a health check").isTrue();
            }
        }
        assertThat(services.at("/routing-api/healthcheck/test").toString()).contains("/actuator/health/readiness");
        assertThat(services.at("/ingest-api/healthcheck/test").toString()).contains("/actuator/health/readiness");
    }

    @Test
    void servicesStartOnceWhatTheyNeedIsHealthy() {
        assertDependsOn("routing-api", "postgres", "service_healthy");
        assertDependsOn("routing-api", "kafka", "service_healthy");
        assertDependsOn("ingest-api", "kafka", "service_healthy");
        assertDependsOn("flink-job-submit", "jobmanager", "service_healthy");
        assertDependsOn("flink-job-submit", "kafka", "service_healthy");
        assertDependsOn("flink-job-submit", "routing-api", "service_healthy");
        assertDependsOn("grafana", "postgres", "service_healthy");
        assertDependsOn("grafana", "prometheus", "service_healthy");
        assertDependsOn("grafana", "db-grants", "service_completed_successfully");
        for (String name : names(services)) {
            JsonNode dependsOn = services.at("/" + name + "/depends_on");
            for (String dependency : names(dependsOn)) {
                assertThat(services.has(dependency)).as(name + " depends on a service of the file").isTrue();
                String condition = dependsOn.get(dependency).path("condition").asText();
                assertThat(condition).as(name + " -> " + dependency).isIn("service_healthy", "service_started",
                        "service_completed_successfully");
                if (condition.equals("service_healthy")) {
                    assertThat(services.at("/" + dependency + "/healthcheck/test").isMissingNode())
                            .as(dependency + " has the health check " + name + " waits for").isFalse();
                }
                if (condition.equals("service_completed_successfully")) {
                    assertThat(ONE_SHOT).as(dependency + " is a one-shot service").contains(dependency);
                }
            }
        }
    }

    @Test
    void theApisAnswerOnTheirDocumentedPorts() {
        assertThat(services.at("/routing-api/ports")).extracting(JsonNode::asText).contains("8080:8080");
        assertThat(services.at("/ingest-api/ports")).extracting(JsonNode::asText).contains("8081:8081");
        assertThat(services.at("/grafana/ports")).extracting(JsonNode::asText).contains("3000:3000");
        assertThat(services.at("/prometheus/ports")).extracting(JsonNode::asText).contains("127.0.0.1:9090:9090");
    }

    @Test
    void theApisAreConfiguredOnlyWithTheReadmesVariables() {
        Set<String> documented = readmeVariables();
        assertThat(documented).contains("FLOWGATE_DB_URL", "KAFKA_BOOTSTRAP_SERVERS", "FLOWGATE_APP_SECRET");
        for (String api : List.of("routing-api", "ingest-api")) {
            Set<String> used = names(services.at("/" + api + "/environment"));
            assertThat(used).as(api).isNotEmpty();
            assertThat(documented).as("README configuration table covers what %s is given", api).containsAll(used);
        }
        assertThat(names(services.at("/routing-api/environment"))).contains("FLOWGATE_DB_URL", "FLOWGATE_DB_USER",
                "FLOWGATE_DB_PASSWORD", "KAFKA_BOOTSTRAP_SERVERS", "FLOWGATE_PRIVATE_KEY", "FLOWGATE_APP_SECRET",
                "FLOWGATE_ADMIN_TOKEN");
        assertThat(names(services.at("/ingest-api/environment"))).contains("KAFKA_BOOTSTRAP_SERVERS",
                "FLOWGATE_APP_SECRET", "FLOWGATE_VERIFY_TOKEN");
        assertThat(services.at("/routing-api/environment/FLOWGATE_PRIVATE_KEY").asText())
                .isEqualTo("/run/secrets/flowgate_private_key");
        assertThat(services.at("/routing-api/secrets")).extracting(JsonNode::asText).containsExactly("flowgate_private_key");
    }

    @Test
    void secretsComeFromDotEnvAndTheExampleDefinesEveryVariable() {
        for (String name : names(services)) {
            for (String variable : names(services.at("/" + name + "/environment"))) {
                if (variable.matches(".*(PASSWORD|SECRET|TOKEN|PASSPHRASE).*")) {
                    assertThat(services.at("/" + name + "/environment/" + variable).asText())
                            .as("%s of %s comes from .env", variable, name).startsWith("${").endsWith("}");
                }
            }
        }
        Set<String> interpolated = new TreeSet<>();
        Matcher m = INTERPOLATION.matcher(read(COMPOSE));
        while (m.find()) {
            interpolated.add(m.group(1));
        }
        Set<String> example = new HashSet<>();
        for (String line : read(ENV_EXAMPLE).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                example.add(line.substring(0, line.indexOf('=')));
            }
        }
        interpolated.remove("KAFKA_CLUSTER_ID");
        assertThat(example).as(".env.example defines what docker-compose.yml reads").containsAll(interpolated);
        assertThat(read(repository().resolve(".gitignore")).lines()).as(".env is never committed").contains(".env");
    }

    @Test
    void mountedFilesAndBuildContextsExist() {
        List<String> mounts = new ArrayList<>();
        for (String name : names(services)) {
            services.at("/" + name + "/volumes").forEach(volume -> mounts.add(volume.asText()));
        }
        int checked = 0;
        for (String mount : mounts) {
            String source = mount.substring(0, mount.indexOf(':'));
            if (source.startsWith("./") && !source.startsWith("./flink-jobs/target")) {
                assertThat(repository().resolve(source)).as(mount).exists();
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(5);
        for (String api : List.of("routing-api", "ingest-api")) {
            String dockerfile = read(repository().resolve(api).resolve("Dockerfile"));
            assertThat(dockerfile).as(api).contains("FROM eclipse-temurin:17-jre", "COPY target/" + api + "-*-exec.jar",
                    "USER flowgate");
            assertThat(read(repository().resolve(api).resolve(".dockerignore"))).contains("!target/" + api + "-*-exec.jar");
        }
        assertThat(Files.isExecutable(module().resolve("grafana/postgres-init/10-grafana-reader.sh")))
                .as("the PostgreSQL image runs *.sh init scripts that are executable").isTrue();
    }

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        String binary = dockerCompose();
        Process process = new ProcessBuilder(binary, "--env-file", ENV_EXAMPLE.toString(), "-f", COMPOSE.toString(),
                "config", "-q")
                .directory(repository().toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("docker-compose config finished").isTrue();
        assertThat(process.exitValue()).as("docker-compose config -q:\n" + output).isZero();
    }

    private static String dockerCompose() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "docker-compose");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail("docker-compose is needed to validate docker-compose.yml (no Docker engine is needed). "
                + "Install it with: apt-get update && apt-get install -y docker-compose");
    }

    private void assertDependsOn(String service, String dependency, String condition) {
        assertThat(services.at("/" + service + "/depends_on/" + dependency + "/condition").asText())
                .as(service + " waits for " + dependency).isEqualTo(condition);
    }

    private String image(String service) {
        return services.at("/" + service + "/image").asText();
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The variables of the README's configuration table (first column, in backticks). */
    private static Set<String> readmeVariables() {
        Set<String> variables = new HashSet<>();
        boolean inTable = false;
        for (String line : read(repository().resolve("README.md")).split("\n")) {
            if (line.startsWith("| variable |")) {
                inTable = true;
            } else if (inTable && line.startsWith("|")) {
                String firstColumn = line.split("\\|")[1];
                Matcher m = README_VARIABLE.matcher(firstColumn);
                while (m.find()) {
                    variables.add(m.group(1));
                }
            } else if (inTable) {
                break;
            }
        }
        return variables;
    }
}
