package io.flowgate.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The embedded run in a process of its own, for tests that kill it: starts {@link EmbeddedFlowgate} from the
 * environment and stops on SIGTERM like {@link Flowgate} does, and writes where everything listens to {@code $FLOWGATE_HOME/run.properties}
 * (ports are chosen at start).
 */
public final class FlowgateChild {

    private FlowgateChild() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedFlowgate flowgate = EmbeddedFlowgate.start(System::getenv);
        Properties run = new Properties();
        run.setProperty("routing-api", flowgate.routingApi().toString());
        run.setProperty("ingest-api", flowgate.ingestApi().toString());
        run.setProperty("db-url", flowgate.dbUrl());
        run.setProperty("admin-token", flowgate.adminToken());
        run.setProperty("app-secret", flowgate.appSecret());
        run.setProperty("public-key", flowgate.publicKey().toString());
        Path home = Path.of(System.getenv("FLOWGATE_HOME"));
        Path written = home.resolve("run.properties.tmp");
        try (var out = Files.newBufferedWriter(written)) {
            run.store(out, "flowgate child");
        }
        Files.move(written, home.resolve("run.properties"), StandardCopyOption.ATOMIC_MOVE);
        System.out.println(flowgate.banner());
        Flowgate.runUntilStopped(flowgate);
    }
}
