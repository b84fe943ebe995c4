package io.flowgate.routing.flowendpoint.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.Topics;
import io.flowgate.meta.MetaSignature;
import io.flowgate.routing.system.BoundedBody;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The framework-free floor of a Flow endpoint {@code ping} (issue 12, docs/benchmarks.md "ping: what the
 * framework costs"): a plain embedded Tomcat with one servlet and no filter, doing exactly a ping's work
 * with routing-api's own parts: the body read within the limit ({@link BoundedBody}), the signature
 * ({@link MetaSignature}), the envelope parsed with Jackson, RSA-OAEP + AES-GCM ({@link FlowCrypto}, the
 * provider routing-api chooses), the plaintext parsed, the sealed {@code {"version","data":{"status":"active"}}}
 * answer, and the {@code endpoint_request} event to Kafka ({@link EventJson#toBytes}, the producer settings of
 * routing-api's {@code KafkaEventPublisher}). No Spring, no security filters, no Micrometer.
 *
 * <p>Tomcat rather than the JDK's {@code HttpServer}: routing-api runs on this same Tomcat (same NIO
 * connector, HTTP parser and thread pool), so bare minus routing-api is what Spring (Security, MVC,
 * observations) and Flowgate's controller add, not the difference between two HTTP stacks.
 *
 * <p>Started by {@code WrkEndpointBenchmark} as a process of its own ({@code -Xmx512m}, like routing-api):
 * {@code BareFlowEndpoint <port> <private key pem> <app secret> <kafka bootstrap> [<jdbc url> <answer json file>]};
 * with the last two it also serves {@code data_exchange}: the infrastructure floor of a transition
 * ({@link BareTransition}: the same servlet, signature and unseal, then one JDBC transaction with routing-api's
 * statements, the outbox drained by a minimal relay).
 */
public final class BareFlowEndpoint {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BareFlowEndpoint() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        FlowCrypto crypto = new FlowCrypto(KeyRing.of(PrivateKeyLoader.load(Path.of(args[1]), null), null));
        MetaSignature signature = new MetaSignature(args[2], null);
        Producer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[3],
                ProducerConfig.CLIENT_ID_CONFIG, "flowgate-bare-events",
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000),
                new StringSerializer(), new ByteArraySerializer());
        producer.partitionsFor(Topics.TRANSITIONS); // metadata before the first request, as routing-api warms it up

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("flowgate-bare-").toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(port);
        connector.setProperty("maxThreads", "288"); // routing-api's FLOWGATE_HTTP_THREADS in the benchmarks
        connector.setProperty("acceptCount", "200");
        connector.setProperty("connectionTimeout", "10000");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        BareTransition transitions = args.length > 5
                ? new BareTransition(args[4], (ObjectNode) MAPPER.readTree(Files.readString(Path.of(args[5]))), args[3]) : null;
        Tomcat.addServlet(context, "flow", new FlowServlet(crypto, signature, producer, transitions));
        context.addServletMappingDecoded("/flows/endpoint", "flow");
        tomcat.start();
        System.out.println("bare Flow endpoint on port " + port + ", crypto: " + CryptoProviders.describe());
        tomcat.getServer().await();
    }

    /**
     * ping, and data_exchange when a database was given ({@link BareTransition}); anything else is a 400 (the
     * benchmark sends nothing else), an unknown flow token a 427.
     */
    private static final class FlowServlet extends HttpServlet {

        private static final int MAX_BODY_BYTES = 1_048_576;

        private final transient FlowCrypto crypto;
        private final transient MetaSignature signature;
        private final transient Producer<String, byte[]> producer;
        private final transient BareTransition transitions;

        FlowServlet(FlowCrypto crypto, MetaSignature signature, Producer<String, byte[]> producer, BareTransition transitions) {
            this.crypto = crypto;
            this.signature = signature;
            this.producer = producer;
            this.transitions = transitions;
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            long started = System.nanoTime();
            byte[] body = BoundedBody.read(request, MAX_BODY_BYTES);
            int status = 400;
            String answer = "";
            String action = "";
            BareTransition.Answered step = null;
            if (body != null && signature.verify(body, request.getHeader(MetaSignature.HEADER))) {
                JsonNode envelope = MAPPER.readTree(body);
                try {
                    DecryptedRequest decrypted = crypto.decrypt(envelope.path("encrypted_aes_key").asText(),
                            envelope.path("encrypted_flow_data").asText(), envelope.path("initial_vector").asText());
                    JsonNode payload = MAPPER.readTree(new String(decrypted.plaintext(), StandardCharsets.UTF_8));
                    action = payload.path("action").asText();
                    byte[] plain = null;
                    if ("ping".equals(action)) {
                        ObjectNode reply = JsonNodeFactory.instance.objectNode();
                        reply.put("version", payload.path("version").asText());
                        reply.putObject("data").put("status", "active");
                        plain = MAPPER.writeValueAsBytes(reply);
                    } else if ("data_exchange".equals(action) && transitions != null) {
                        step = transitions.step(payload);
                        plain = step == null ? null : step.plaintext();
                        status = step == null ? 427 : status;
                    }
                    if (plain != null) {
                        answer = crypto.encryptResponse(plain, decrypted);
                        status = 200;
                    }
                } catch (UndecryptableRequestException e) {
                    status = 421;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            response.setStatus(status);
            response.setContentType("text/plain");
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
            response.flushBuffer();
            EndpointRequest event = new EndpointRequest(UUID.randomUUID().toString(), Instant.now(),
                    step == null ? null : step.flowId(), step == null ? null : step.sessionId(),
                    step == null || step.screen() == null ? "" : step.screen(), action,
                    status, status == 200 ? EndpointRequest.OUTCOME_OK : EndpointRequest.OUTCOME_BAD_REQUEST,
                    TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started), step == null ? null : step.flowVersion(), null, null);
            RecordHeaders headers = new RecordHeaders();
            headers.add("event_id", event.eventId().getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<>(Topics.TRANSITIONS, null, null, event.key(), EventJson.toBytes(event), headers));
        }
    }

    /**
     * Starts one as a process of its own on the benchmark's classpath, its output to {@code log}; with {@code db}
     * (a migrated database with the sessions) and {@code answer} (a file holding {@code {"screen","data"}}) it
     * also serves data_exchange ({@link BareTransition}), else ping only.
     */
    public static Process start(int port, Path pem, String appSecret, String kafka, String db, Path answer, Path log,
                                List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx512m"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareFlowEndpoint.class.getName(),
                Integer.toString(port), pem.toString(), appSecret, kafka));
        if (db != null) {
            command.addAll(List.of(db, answer.toString()));
        }
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
