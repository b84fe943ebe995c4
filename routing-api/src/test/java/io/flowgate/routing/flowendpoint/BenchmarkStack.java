package io.flowgate.routing.flowendpoint;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.routing.flowendpoint.crypto.BareFlowEndpoint;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.testkit.TestKeys;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the endpoint benchmarks measure against: an embedded PostgreSQL with the test servers' settings
 * ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes} off; more may be given), an in-process
 * Kafka broker, and routing-api from its jar as a separate process with the example Flow installed.
 */
final class BenchmarkStack implements AutoCloseable {

    final EmbeddedPostgres pg;
    final EmbeddedKafkaBroker kafka;
    final String db;
    final Process server;
    final URI base;
    final WhatsAppFlowClient client;
    final Connection sql;
    final long postmaster;
    private final KeyPair keys;
    private final Path dir;
    /** The framework-free ping server, once {@link #startBare} started it. */
    Process bare;
    URI bareBase;

    private BenchmarkStack(EmbeddedPostgres pg, EmbeddedKafkaBroker kafka, String db, Process server, URI base,
                           WhatsAppFlowClient client, Connection sql, long postmaster, KeyPair keys, Path dir) {
        this.pg = pg;
        this.kafka = kafka;
        this.db = db;
        this.server = server;
        this.base = base;
        this.client = client;
        this.sql = sql;
        this.postmaster = postmaster;
        this.keys = keys;
        this.dir = dir;
    }

    /**
     * Starts everything and waits for routing-api's first answered ping, then installs the example.
     *
     * @param postgresSettings extra server settings (e.g. {@code shared_preload_libraries})
     * @param serverEnvironment extra environment of routing-api (Kafka's address is added)
     * @param jvmOptions        extra JVM options of routing-api
     */
    static BenchmarkStack start(String name, Map<String, String> postgresSettings, Map<String, String> serverEnvironment,
                                List<String> jvmOptions) throws Exception {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "300")
                .setServerConfig("shared_buffers", "128MB")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off");
        postgresSettings.forEach(builder::setServerConfig);
        EmbeddedPostgres pg = builder.start();
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(4);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE bench");
        }
        String db = "jdbc:postgresql://localhost:" + pg.getPort() + "/bench";
        KeyPair keys = TestKeys.generate();
        Path dir = Files.createTempDirectory("flowgate-" + name + "-");
        Path pem = TestKeys.writePkcs8(keys, dir, "private.pem");
        int port = freePort();
        Map<String, String> env = new java.util.HashMap<>(serverEnvironment);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        Process server = EndpointBenchmark.startServer(db, pem, port, dir.resolve("routing-api.log"), env, jvmOptions);
        URI base = URI.create("http://localhost:" + port);
        WhatsAppFlowClient client = new WhatsAppFlowClient(base.resolve("/flows/endpoint"), keys.getPublic(), EndpointBenchmark.APP_SECRET);
        Connection sql;
        try {
            EndpointBenchmark.awaitFirstPing(client, System.nanoTime());
            new DeviceRepairExample(base, EndpointBenchmark.ADMIN).install();
            sql = DriverManager.getConnection(db, "postgres", "");
        } catch (Exception | Error e) {
            // a start that fails (too slow on a loaded machine) leaves nothing running behind it
            server.destroy();
            kafka.close();
            pg.close();
            throw e;
        }
        System.out.println("routing-api log: " + dir.resolve("routing-api.log"));
        return new BenchmarkStack(pg, kafka, db, server, base, client, sql, ProcessCpu.postmasterOf(sql), keys, dir);
    }

    /**
     * Starts {@link BareFlowEndpoint} (a ping's work without Spring) with routing-api's key, app secret and
     * Kafka broker, and waits for its first answered ping: the same wrk script serves both.
     */
    void startBare(List<String> jvmOptions) throws Exception {
        int port = freePort();
        bare = BareFlowEndpoint.start(port, dir.resolve("private.pem"), EndpointBenchmark.APP_SECRET, kafka.bootstrapServers(),
                dir.resolve("bare.log"), jvmOptions);
        bareBase = URI.create("http://localhost:" + port);
        EndpointBenchmark.awaitFirstPing(new WhatsAppFlowClient(bareBase.resolve("/flows/endpoint"), keys.getPublic(),
                EndpointBenchmark.APP_SECRET), System.nanoTime());
        System.out.println("bare endpoint log: " + dir.resolve("bare.log"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        sql.close();
        if (bare != null) {
            bare.destroy();
            bare.waitFor(10, TimeUnit.SECONDS);
        }
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        kafka.close();
        pg.close();
    }
}
