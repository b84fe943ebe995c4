package io.flowgate.launcher;

import io.flowgate.analytics.AnalyticsJobs;
import io.flowgate.dashboards.Dashboard;
import io.flowgate.analytics.AnalyticsOptions;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.events.Topics;
import io.flowgate.ingest.IngestApiApplication;
import io.flowgate.routing.RoutingApiApplication;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.simulator.Simulation;
import io.flowgate.simulator.Simulator;
import io.flowgate.simulator.SimulatorConfig;
import io.flowgate.simulator.graph.GraphApiStandIn;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything Flowgate needs, in this JVM, each piece started the way production starts it and connected
 * over real ports: PostgreSQL (embedded unless {@code FLOWGATE_DB_URL} names a server), a Kafka broker
 * (in-process KRaft unless {@code KAFKA_BOOTSTRAP_SERVERS} is set), a stand-in for Meta's Graph API
 * (unless {@code FLOWGATE_GRAPH_API_URL} is set), routing-api, ingest-api, the analytics job on a Flink
 * MiniCluster, the dashboard and the simulator's demo load. Keys and secrets are kept in the run's home
 * ({@code .flowgate/}). {@link Flowgate} runs it from the command line; tests start it directly.
 */
public final class EmbeddedFlowgate implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedFlowgate.class);
    private static final String EMBEDDED_ACCESS_TOKEN = "embedded-run-access-token";
    private static final String EMBEDDED_PHONE_NUMBER_ID = "100000000000001";

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final Function<String, String> environment;
    private URI routingApi;
    private URI ingestApi;
    private URI dashboardUri;
    private String adminToken;
    private String appSecret;
    private String dbUrl;
    private Path publicKey;
    private GraphApiStandIn graph;
    private String banner;

    private EmbeddedFlowgate(Function<String, String> environment) {
        this.environment = environment;
    }

    /**
     * Starts everything; settings come from {@code environment} (the process environment in the
     * embedded run, chosen values in tests). Stops what already started if a later piece fails.
     */
    public static EmbeddedFlowgate start(Function<String, String> environment) throws Exception {
        EmbeddedFlowgate flowgate = new EmbeddedFlowgate(environment);
        try {
            flowgate.start(Path.of(flowgate.env("FLOWGATE_HOME", ".flowgate")).toAbsolutePath());
            return flowgate;
        } catch (Exception | Error e) {
            flowgate.close();
            throw e;
        }
    }

    public URI routingApi() {
        return routingApi;
    }

    public URI ingestApi() {
        return ingestApi;
    }

    public URI dashboard() {
        return dashboardUri;
    }

    public String adminToken() {
        return adminToken;
    }

    public String appSecret() {
        return appSecret;
    }

    public String dbUrl() {
        return dbUrl;
    }

    public Path publicKey() {
        return publicKey;
    }

    /** The Graph API stand-in, when the run started one (no {@code FLOWGATE_GRAPH_API_URL}); else null. */
    public GraphApiStandIn graphApi() {
        return graph;
    }

    /** The block of what runs where. */
    public String banner() {
        return banner;
    }

    private void start(Path home) throws Exception {
        long started = System.nanoTime();
        LocalSecrets secrets = LocalSecrets.loadOrCreate(home);
        appSecret = env("FLOWGATE_APP_SECRET", secrets.appSecret);
        adminToken = env("FLOWGATE_ADMIN_TOKEN", secrets.adminToken);
        String verifyToken = env("FLOWGATE_VERIFY_TOKEN", secrets.verifyToken);

        dbUrl = env("FLOWGATE_DB_URL", null);
        String dbUser = env("FLOWGATE_DB_USER", "postgres");
        String dbPassword = env("FLOWGATE_DB_PASSWORD", "");
        String dbWhere = "FLOWGATE_DB_URL";
        if (dbUrl == null || dbUrl.isBlank()) {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(0, home.resolve("postgres"));
            running.push(postgres);
            dbUrl = postgres.jdbcUrl("flowgate");
            dbUser = postgres.user();
            dbPassword = postgres.password();
            dbWhere = "embedded PostgreSQL, data in " + home.resolve("postgres");
        }

        String kafka = env("KAFKA_BOOTSTRAP_SERVERS", null);
        String kafkaWhere = "KAFKA_BOOTSTRAP_SERVERS";
        if (kafka == null || kafka.isBlank()) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Integer.parseInt(env("FLOWGATE_KAFKA_TOPIC_PARTITIONS", "4")));
            running.push(broker);
            kafka = broker.bootstrapServers();
            kafkaWhere = "in-process KRaft broker";
        }
        EmbeddedKafkaBroker.createTopics(kafka, Topics.ALL, Integer.parseInt(env("FLOWGATE_KAFKA_TOPIC_PARTITIONS", "4")));

        String graphApi = env("FLOWGATE_GRAPH_API_URL", null);
        graph = null;
        if (graphApi == null || graphApi.isBlank()) {
            graph = GraphApiStandIn.start(0);
            running.push(graph);
            graphApi = graph.uri().toString();
        }

        String routingPort = env("SERVER_PORT", "8080");
        Map<String, Object> routing = new LinkedHashMap<>();
        routing.put("server.port", routingPort);
        routing.put("spring.datasource.url", dbUrl);
        routing.put("spring.datasource.username", dbUser);
        routing.put("spring.datasource.password", dbPassword);
        routing.put("flowgate.endpoint.private-key", env("FLOWGATE_PRIVATE_KEY", secrets.privateKey.toString()));
        routing.put("flowgate.endpoint.app-secret", appSecret);
        routing.put("flowgate.admin.token", adminToken);
        routing.put("flowgate.kafka.bootstrap-servers", kafka);
        routing.put("flowgate.whatsapp.graph-api-url", graphApi);
        routing.put("flowgate.whatsapp.access-token", env("FLOWGATE_ACCESS_TOKEN", EMBEDDED_ACCESS_TOKEN));
        routing.put("flowgate.whatsapp.phone-number-id", env("FLOWGATE_PHONE_NUMBER_ID", EMBEDDED_PHONE_NUMBER_ID));
        ConfigurableApplicationContext routingContext = new SpringApplicationBuilder(RoutingApiApplication.class).run(arguments(routing));
        running.push(routingContext::close);

        String ingestPort = env("FLOWGATE_INGEST_PORT", "8081");
        Map<String, Object> ingest = new LinkedHashMap<>();
        ingest.put("server.port", ingestPort);
        ingest.put("flowgate.ingest.app-secret", appSecret);
        ingest.put("flowgate.ingest.verify-token", verifyToken);
        ingest.put("flowgate.ingest.kafka.bootstrap-servers", kafka);
        ConfigurableApplicationContext ingestContext = IngestApiApplication.application().run(arguments(ingest));
        running.push(ingestContext::close);

        routingPort = Integer.toString(((WebServerApplicationContext) routingContext).getWebServer().getPort());
        ingestPort = Integer.toString(((WebServerApplicationContext) ingestContext).getWebServer().getPort());
        URI routingUri = URI.create("http://localhost:" + routingPort + "/");
        this.routingApi = routingUri;
        this.ingestApi = URI.create("http://localhost:" + ingestPort + "/");
        this.publicKey = secrets.publicKey;
        new DeviceRepairExample(routingUri, adminToken).install();

        StreamExecutionEnvironment flink = StreamExecutionEnvironment.createLocalEnvironment(2);
        AnalyticsJobs.buildInto(flink, AnalyticsOptions.fromArgs(
                "--" + AnalyticsOptions.KAFKA_BOOTSTRAP, kafka,
                "--" + AnalyticsOptions.JDBC_URL, dbUrl,
                "--" + AnalyticsOptions.JDBC_USER, dbUser,
                "--" + AnalyticsOptions.JDBC_PASSWORD, dbPassword,
                "--" + AnalyticsOptions.PARALLELISM, "2",
                "--" + AnalyticsOptions.CHECKPOINT_DIR, home.resolve("checkpoints").toUri().toString(),
                "--stale-after", env("FLOWGATE_STALE_AFTER", "30m")));
        JobClient job = flink.executeAsync(AnalyticsJobs.JOB_NAME);
        running.push(() -> job.cancel().get());

        Dashboard dashboard = Dashboard.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(env("DASHBOARD_PORT", "8090"))), dbUrl, dbUser, dbPassword,
                Dashboard.allowedHosts(env("DASHBOARD_ALLOWED_HOSTS", "")));
        running.push(dashboard);
        dashboardUri = dashboard.uri();

        String simulatorWhere = "off (FLOWGATE_SIMULATOR=off)";
        if (!"off".equalsIgnoreCase(env("FLOWGATE_SIMULATOR", "demo"))) {
            SimulatorConfig.Builder demo = SimulatorConfig.demo()
                    .routingApi(routingUri)
                    .ingestApi(ingestApi)
                    .publicKey(secrets.publicKey)
                    .appSecret(appSecret)
                    .adminToken(adminToken);
            if (graph != null) {
                demo.graphApi(graph);
            }
            Simulation simulation = Simulator.start(demo.build());
            running.push(simulation);
            simulatorWhere = "demo load: Flow users and chat users, gently, until Ctrl-C";
        }

        banner = String.format("""

                ================================= Flowgate is running =================================
                  Flow endpoint      POST http://localhost:%1$s/flows/endpoint
                  Admin API          http://localhost:%1$s/api/...   Authorization: Bearer %2$s
                  Messaging webhook  http://localhost:%3$s/webhook   verify token %4$s
                  Health, metrics    /actuator/health  /actuator/prometheus  on both ports
                  Database           %5$s (%6$s)
                  Kafka              %7$s (%8$s)
                  Dashboard          %15$s
                  Analytics          Flink job %9$s on a local MiniCluster
                  Graph API          %10$s
                  Simulator          %11$s
                  App secret         %12$s   (X-Hub-Signature-256)
                  Public key         %13$s   (upload it to Meta, see README)
                  Started in %14$.1f s. Ctrl-C stops everything.
                ========================================================================================
                """, routingPort, adminToken, ingestPort, verifyToken, dbUrl, dbWhere, kafka, kafkaWhere,
                AnalyticsJobs.JOB_NAME, graph != null ? graphApi + " (stand-in that records messages)" : graphApi,
                simulatorWhere, appSecret, secrets.publicKey, (System.nanoTime() - started) / 1e9, dashboard.uri());
    }

    /** Stops everything in reverse order of starting. */
    @Override
    public synchronized void close() {
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                log.warn("stopping: {}", e.toString());
            }
        }
    }

    /** Command-line arguments outrank the applications' own files, as the environment variables they stand for do. */
    private static String[] arguments(Map<String, Object> properties) {
        return properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    private String env(String name, String fallback) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
