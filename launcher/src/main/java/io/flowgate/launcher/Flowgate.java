package io.flowgate.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * {@code ./flowgate}: runs {@link EmbeddedFlowgate} configured by the environment, prints what runs
 * where, runs until Ctrl-C, then stops everything.
 */
public final class Flowgate {

    private static final Logger log = LoggerFactory.getLogger(Flowgate.class);

    private Flowgate() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedFlowgate flowgate;
        try {
            flowgate = EmbeddedFlowgate.start(System::getenv);
        } catch (Exception e) {
            log.error("Flowgate did not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            flowgate.close();
            stopped.countDown();
        }, "flowgate-stop"));
        System.out.println(flowgate.banner());
        stopped.await();
    }
}
