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
import io.flowgate.routing.kafka.KafkaProperties;
import io.flowgate.routing.system.RoutingEnvironment;
import io.flowgate.ingest.system.IngestEnvironment;
import io.flowgate.simulator.Simulation;
import io.flowgate.simulator.Simulator;
import io.flowgate.simulator.SimulatorConfig;
import io.flowgate.testkit.GraphApiStandIn;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Everything Flowgate needs, in this JVM, each piece started the way production starts it and connected
 * over real ports: PostgreSQL (embedded unless {@code FLOWGATE_DB_URL} names a server), a Kafka broker
 * (in-process KRaft unless {@code KAFKA_BOOTSTRAP_SERVERS} is set), a stand-in for Meta's Graph API
 * (unless {@code FLOWGATE_GRAPH_API_URL} is set), routing-api, ingest-api, the analytics job on a Flink
 * MiniCluster, the dashboard and the simulator's demo load. Keys, secrets and all state are kept in the
 * run's home ({@code .flowgate/}): PostgreSQL's data, Kafka's log dirs and KRaft metadata, and the analytics
 * job's checkpoints and savepoints, so a restart (even after kill -9) resumes where the last run stopped. {@link Flowgate} runs it from the command line; tests start it directly.
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
    private String kafkaBootstrap;
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

    /** The Kafka bootstrap servers the run uses (the in-process broker's, or KAFKA_BOOTSTRAP_SERVERS). */
    public String kafkaBootstrap() {
        return kafkaBootstrap;
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

        // routing-api's and ingest-api's settings as this environment gives them; each service applies its
        // own defaults to the rest, the launcher adds only what differs in the embedded run
        Map<String, Object> routing = given(RoutingEnvironment.SETTINGS);
        Map<String, Object> ingest = given(IngestEnvironment.SETTINGS);
        int partitions = new Binder(new MapConfigurationPropertySource(routing))
                .bindOrCreate("flowgate.kafka", KafkaProperties.class).topicPartitions();

        dbUrl = env("FLOWGATE_DB_URL", null);
        String dbWhere = "FLOWGATE_DB_URL";
        if (dbUrl == null) {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(0, home.resolve("postgres"));
            running.push(postgres);
            dbUrl = postgres.jdbcUrl("flowgate");
            routing.put("spring.datasource.url", dbUrl);
            routing.put("spring.datasource.username", postgres.user());
            routing.put("spring.datasource.password", postgres.password());
            dbWhere = "embedded PostgreSQL, data in " + home.resolve("postgres");
        }

        String kafka = env("KAFKA_BOOTSTRAP_SERVERS", null);
        String kafkaWhere = "KAFKA_BOOTSTRAP_SERVERS";
        if (kafka == null) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(home.resolve("kafka"), partitions);
            running.push(broker);
            kafka = broker.bootstrapServers();
            kafkaWhere = "in-process KRaft broker, data in " + home.resolve("kafka");
        }
        EmbeddedKafkaBroker.createTopics(kafka, Topics.ALL, partitions);
        kafkaBootstrap = kafka;

        String graphApi = env("FLOWGATE_GRAPH_API_URL", null);
        graph = null;
        if (graphApi == null) {
            graph = GraphApiStandIn.start(0);
            running.push(graph);
            graphApi = graph.uri().toString();
            routing.put("flowgate.whatsapp.graph-api-url", graphApi);
            routing.putIfAbsent("flowgate.whatsapp.access-token", EMBEDDED_ACCESS_TOKEN);
            routing.putIfAbsent("flowgate.whatsapp.phone-number-id", EMBEDDED_PHONE_NUMBER_ID);
        }

        routing.putIfAbsent("flowgate.endpoint.private-key", secrets.privateKey.toString());
        routing.put("flowgate.endpoint.app-secret", appSecret);
        routing.put("flowgate.admin.token", adminToken);
        routing.put("flowgate.webhooks.secret-key", env("FLOWGATE_WEBHOOK_SECRET_KEY", secrets.webhookSecretKey));
        routing.put("flowgate.kafka.bootstrap-servers", kafka);
        ConfigurableApplicationContext routingContext = new SpringApplicationBuilder(RoutingApiApplication.class).run(arguments(routing));
        running.push(routingContext::close);

        // SERVER_PORT is routing-api's in the embedded run; ingest-api listens on FLOWGATE_INGEST_PORT
        ingest.put("server.port", env("FLOWGATE_INGEST_PORT", "8081"));
        ingest.put("flowgate.ingest.app-secret", appSecret);
        ingest.put("flowgate.ingest.verify-token", verifyToken);
        ingest.put("flowgate.ingest.kafka.bootstrap-servers", kafka);
        ConfigurableApplicationContext ingestContext = IngestApiApplication.application().run(arguments(ingest));
        running.push(ingestContext::close);

        // the database as routing-api connects to it (FLOWGATE_DB_USER and its default, or the embedded server's)
        String dbUser = routingContext.getEnvironment().getProperty("spring.datasource.username");
        String dbPassword = routingContext.getEnvironment().getProperty("spring.datasource.password", "");
        String routingPort = Integer.toString(((WebServerApplicationContext) routingContext).getWebServer().getPort());
        String ingestPort = Integer.toString(((WebServerApplicationContext) ingestContext).getWebServer().getPort());
        URI routingUri = URI.create("http://localhost:" + routingPort + "/");
        this.routingApi = routingUri;
        this.ingestApi = URI.create("http://localhost:" + ingestPort + "/");
        this.publicKey = secrets.publicKey;
        new DeviceRepairExample(routingUri, adminToken).install();

        String analyticsWhere = startAnalytics(home, kafka, dbUrl, dbUser, dbPassword);

        Dashboard dashboard = Dashboard.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(env("DASHBOARD_PORT", Integer.toString(Dashboard.DEFAULT_PORT)))), dbUrl, dbUser, dbPassword,
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
                  Analytics          Flink job %9$s on a local MiniCluster, %16$s
                  Graph API          %10$s
                  Simulator          %11$s
                  App secret         %12$s   (X-Hub-Signature-256)
                  Public key         %13$s   (upload it to Meta, see README)
                  Started in %14$.1f s. Ctrl-C stops everything.
                ========================================================================================
                """, routingPort, adminToken, ingestPort, verifyToken, dbUrl, dbWhere, kafka, kafkaWhere,
                AnalyticsJobs.JOB_NAME, graph != null ? graphApi + " (stand-in that records messages)" : graphApi,
                simulatorWhere, appSecret, secrets.publicKey, (System.nanoTime() - started) / 1e9, dashboard.uri(),
                analyticsWhere);
    }

    /**
     * Starts the analytics job on a local MiniCluster, resumed from the newest retained checkpoint or
     * savepoint in {@code home} (claimed: the job owns it from now on and deletes it once it has its own).
     * A snapshot that cannot be restored is reported as an error and the job starts without state; its sinks
     * then refuse to lower what the tables hold (docs/analytics.md). On {@link #close()} the job stops with a
     * savepoint, without draining (no timer fires early), and the next start resumes from it.
     *
     * @return what the banner says about the job's state
     */
    private String startAnalytics(Path home, String kafka, String dbUrl, String dbUser, String dbPassword) throws Exception {
        RetainedState state = new RetainedState(home);
        List<String> args = new ArrayList<>(List.of(
                "--" + AnalyticsOptions.KAFKA_BOOTSTRAP, kafka,
                "--" + AnalyticsOptions.JDBC_URL, dbUrl,
                "--" + AnalyticsOptions.JDBC_USER, dbUser,
                "--" + AnalyticsOptions.JDBC_PASSWORD, dbPassword,
                "--" + AnalyticsOptions.PARALLELISM, "2",
                "--" + AnalyticsOptions.CHECKPOINT_DIR, state.checkpoints().toUri().toString(),
                // more often than the job's default, so a restart of the embedded run loses little
                "--" + AnalyticsOptions.CHECKPOINT_INTERVAL, env("FLOWGATE_CHECKPOINT_INTERVAL", "2s")));
        String staleAfter = env("FLOWGATE_STALE_AFTER", null);
        if (staleAfter != null) {
            args.addAll(List.of("--" + AnalyticsOptions.STALE_AFTER, staleAfter));
        }
        AnalyticsOptions options = AnalyticsOptions.fromArgs(args.toArray(String[]::new));
        Optional<Path> snapshot = state.latest();
        JobClient job = null;
        String where = "no earlier state in " + home + " (first start)";
        if (snapshot.isPresent()) {
            log.info("resuming {} from {}", AnalyticsJobs.JOB_NAME, snapshot.get());
            try {
                job = submitAnalytics(options, snapshot.get());
                where = "resumed from " + snapshot.get();
            } catch (Exception e) {
                log.error("CANNOT RESUME {} from {} ({}): starting it WITHOUT its state. Sessions in flight are "
                                + "forgotten; the sinks refuse to lower the counts already in the tables. To retry, stop "
                                + "Flowgate and start it again; see docs/operations.md", AnalyticsJobs.JOB_NAME,
                        snapshot.get(), e.getMessage(), e);
                where = "STARTED WITHOUT STATE: " + snapshot.get() + " could not be restored (see the log)";
            }
        }
        if (job == null) {
            job = submitAnalytics(options, null);
        }
        JobClient analytics = job;
        Path savepoints = state.savepoints();
        running.push(() -> stopAnalytics(analytics, savepoints));
        return where;
    }

    /** Submits the job and waits until it runs, so a snapshot that cannot be restored shows here. */
    static JobClient submitAnalytics(AnalyticsOptions options, Path snapshot) throws Exception {
        Configuration configuration = new Configuration();
        if (snapshot != null) {
            configuration.set(StateRecoveryOptions.SAVEPOINT_PATH, snapshot.toUri().toString());
            configuration.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
        }
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.createLocalEnvironment(2, configuration);
        AnalyticsJobs.buildInto(flink, options);
        JobClient job;
        try {
            job = flink.executeAsync(AnalyticsJobs.JOB_NAME);
        } catch (Exception e) {
            throw new IllegalStateException("the job did not start: " + rootCause(e), e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return job;
            }
            if (status.isGloballyTerminalState()) {
                try {
                    job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the job " + status + ": " + rootCause(e), e);
                }
                throw new IllegalStateException("the job " + status);
            }
            Thread.sleep(200);
        }
        return job;
    }

    /** Stop with a savepoint (the next start resumes from it); if that fails, cancel: the last checkpoint is kept. */
    private static void stopAnalytics(JobClient job, Path savepoints) throws Exception {
        try {
            String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);
            log.info("{} stopped with a savepoint: {}", AnalyticsJobs.JOB_NAME, savepoint);
        } catch (Exception e) {
            log.warn("{} could not stop with a savepoint ({}); cancelling it, its last checkpoint is kept",
                    AnalyticsJobs.JOB_NAME, rootCause(e));
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
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

    /** The settings that the variables in this environment set, by each service's table of its variables. */
    private Map<String, Object> given(Map<String, String> variables) {
        Map<String, Object> settings = new LinkedHashMap<>();
        variables.forEach((variable, setting) -> {
            String value = env(variable, null);
            if (value != null) {
                settings.put(setting, value);
            }
        });
        return settings;
    }

    private String env(String name, String fallback) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
