package io.flowgate.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./flowgate}: runs {@link EmbeddedFlowgate} configured by the environment, prints what runs
 * where, runs until Ctrl-C or SIGTERM, then stops everything.
 */
public final class Flowgate {

    private static final Logger log = LoggerFactory.getLogger(Flowgate.class);

    private Flowgate() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedFlowgate flowgate;
        try {
            flowgate = EmbeddedFlowgate.start(System::getenv);
        } catch (Exception e) {
            log.error("Flowgate did not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        System.out.println(flowgate.banner());
        runUntilStopped(flowgate);
    }

    /**
     * Waits for SIGTERM or Ctrl-C (SIGINT), stops everything in order, then exits. The signals are taken
     * before the JVM starts shutting down because the analytics job's final savepoint needs Flink, Kafka and
     * PostgreSQL whole, and the JVM's shutdown hooks (Flink's, Spring's, the logging system's) would stop
     * them at the same time. Any other exit still stops everything, from a shutdown hook.
     */
    static void runUntilStopped(EmbeddedFlowgate flowgate) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> stop.countDown());
            } catch (IllegalArgumentException e) {
                log.warn("cannot handle SIG{} ({}): stopping on it relies on shutdown hooks", name, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(flowgate::close, "flowgate-stop"));
        stop.await();
        log.info("stopping Flowgate");
        flowgate.close();
        log.info("Flowgate stopped");
        System.exit(0);
    }
}
