package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.routing.flowendpoint.crypto.BareFlowEndpoint;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.testkit.TestKeys;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.flowgate.schema.FlowgateSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
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
    /** The bare server's database and a connection to it, when it serves data_exchange too. */
    String bareDb;
    Connection bareSql;

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
     * Kafka broker, and waits for its first answered ping: the same wrk script serves both. With
     * {@code exchanges} it also serves data_exchange against a database of its own in the same PostgreSQL
     * ({@link #bareDb}, migrated, the example Flow's row copied; its own outbox, so routing-api's relay never
     * touches its rows), answering with the screen and data of one routing-api answer captured here.
     */
    void startBare(List<String> jvmOptions, boolean exchanges) throws Exception {
        int port = freePort();
        Path answer = null;
        if (exchanges) {
            bareDb = createBareDatabase(sql, pg.getPort(), "bare");
            bareSql = DriverManager.getConnection(bareDb, "postgres", "");
            WhatsAppFlowClient.Answer routed = client.post(EndpointBenchmark.sealExchanges(client, db, 1).get(0));
            if (routed.status() != 200 || routed.json() == null) {
                throw new IllegalStateException("routing-api did not answer a data_exchange: " + routed.status());
            }
            ObjectNode template = JsonNodeFactory.instance.objectNode();
            template.put("screen", routed.screen());
            template.set("data", routed.data());
            answer = Files.writeString(dir.resolve("answer.json"), template.toString());
        }
        bare = BareFlowEndpoint.start(port, dir.resolve("private.pem"), EndpointBenchmark.APP_SECRET, kafka.bootstrapServers(),
                bareDb, answer, dir.resolve("bare.log"), jvmOptions);
        bareBase = URI.create("http://localhost:" + port);
        EndpointBenchmark.awaitFirstPing(new WhatsAppFlowClient(bareBase.resolve("/flows/endpoint"), keys.getPublic(),
                EndpointBenchmark.APP_SECRET), System.nanoTime());
        System.out.println("bare endpoint log: " + dir.resolve("bare.log"));
    }

    /**
     * Creates database {@code name} next to {@code source}'s with Flowgate's schema and the example Flow's row read
     * from {@code source}: where {@link io.flowgate.routing.flowendpoint.crypto.BareTransition} keeps its sessions.
     */
    static String createBareDatabase(Connection source, int port, String name) throws Exception {
        try (Statement st = source.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        String url = "jdbc:postgresql://localhost:" + port + "/" + name;
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser("postgres");
        FlowgateSchema.migrate(ds);
        try (Connection target = ds.getConnection();
             PreparedStatement read = source.prepareStatement("SELECT * FROM flows WHERE flow_id = ?")) {
            read.setString(1, DeviceRepairExample.FLOW_ID);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
                ResultSetMetaData meta = rs.getMetaData();
                List<String> names = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    names.add(meta.getColumnName(i));
                }
                try (PreparedStatement insert = target.prepareStatement("INSERT INTO flows (" + String.join(", ", names)
                        + ") VALUES (" + String.join(", ", Collections.nCopies(names.size(), "?")) + ")")) {
                    for (int i = 1; i <= names.size(); i++) {
                        insert.setObject(i, rs.getObject(i));
                    }
                    insert.executeUpdate();
                }
            }
        }
        return url;
    }

    private static int freePort() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        sql.close();
        if (bareSql != null) {
            bareSql.close();
        }
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
