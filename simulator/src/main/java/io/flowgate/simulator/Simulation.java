package io.flowgate.simulator;

import io.flowgate.simulator.chat.ChatUsers;
import io.flowgate.simulator.flow.BusinessPublicKey;
import io.flowgate.simulator.flow.FlowUsers;
import io.flowgate.simulator.load.Arrivals;
import io.flowgate.simulator.load.Journey;
import io.flowgate.simulator.load.JourneyRunner;
import io.flowgate.simulator.load.Population;
import io.flowgate.simulator.report.LoadReport;
import io.flowgate.simulator.report.ProgressLine;
import io.flowgate.simulator.report.Tally;
import io.flowgate.testkit.GraphApiStandIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running simulation: users arrive at the configured rate, each becomes a Flow user or a chat lead,
 * and walks their journey on the worker pool; Meta's health check pings now and then. A load test
 * stops arriving after its duration, gives the users still busy a bounded time to finish, cuts off the
 * rest and prints its table; a demo runs until closed. Everything it owns stops on {@link #close()}.
 */
public final class Simulation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Simulation.class);
    private static final Duration DEMO_SUMMARY_EVERY = Duration.ofMinutes(1);

    private final SimulatorConfig config;
    private final Tally tally = new Tally();
    private final HttpClient http;
    private final GraphApiStandIn graph;
    private final boolean ownsGraph;
    private final FlowUsers flows;
    private final ChatUsers chats;
    private final Population population;
    private final JourneyRunner runner;
    private final Arrivals arrivals;
    private final ScheduledExecutorService meta;
    private final SplittableRandom master;
    private final SplittableRandom picks;
    private final CompletableFuture<LoadReport> finished = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Simulation(SimulatorConfig config) throws InterruptedException {
        this.config = config;
        this.master = new SplittableRandom(config.seed());
        // who arrives depends on who is free, which depends on timing: kept apart from the choices'
        // stream, so that a seed always makes the same users with the same plans in the same order
        this.picks = new SplittableRandom(~config.seed());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.ownsGraph = config.graphApiPort() != null;
        this.graph = ownsGraph ? GraphApiStandIn.start(config.graphApiPort()) : config.graphApi();
        try {
            this.flows = FlowUsers.connect(http, config.routingApi(), BusinessPublicKey.read(config.publicKey()),
                    config.appSecret(), config.adminToken(), tally, config.thinkTime());
        } catch (RuntimeException | InterruptedException e) {
            if (ownsGraph) {
                graph.close();
            }
            throw e;
        }
        this.chats = config.chatShare() > 0 ? new ChatUsers(http, config.ingestApi(), config.appSecret(), config.wabaId(),
                config.phoneNumberId(), graph, tally, config.thinkTime()) : null;
        this.population = new Population(config.users());
        this.runner = new JourneyRunner(config.workers());
        this.arrivals = new Arrivals(config.rate(), config.duration(), this::arrive);
        this.meta = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "simulator-meta");
            t.setDaemon(true);
            return t;
        });
    }

    static Simulation start(SimulatorConfig config) throws InterruptedException {
        Simulation simulation = new Simulation(config);
        simulation.begin();
        return simulation;
    }

    private void begin() {
        log.info("{}{}", config, graph == null ? "" : "; Graph API stand-in " + graph.uri());
        meta.scheduleWithFixedDelay(this::ping, 0, config.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (config.mode() == SimulatorConfig.Mode.LOAD) {
            if (config.out() != null) {
                ProgressLine progress = new ProgressLine(tally);
                meta.scheduleAtFixedRate(() -> config.out().println(progress.next(runner.started(), runner.active())),
                        1, 1, TimeUnit.SECONDS);
            }
            Thread controller = new Thread(this::runToEnd, "simulator-load");
            controller.setDaemon(true);
            controller.start();
        } else {
            long every = DEMO_SUMMARY_EVERY.toSeconds();
            meta.scheduleAtFixedRate(this::logSummary, every, every, TimeUnit.SECONDS);
        }
        arrivals.start();
    }

    private void logSummary() {
        log.info("simulator: {} users so far, {} busy, {} Flows completed, {} webhooks acknowledged, {} errors",
                runner.started(), runner.active(), tally.flows().completed(), tally.chats().webhooksAcknowledged(),
                tally.requests().errors());
    }

    /** One user arrives: a chat lead or a Flow user, with choices drawn from their own random stream. */
    private void arrive() {
        SplittableRandom random = master.split();
        OptionalInt user = population.take(picks);
        if (user.isEmpty()) {
            tally.turnedAway();
            return;
        }
        boolean chat = chats != null && random.nextDouble() < config.chatShare() && chats.available();
        // two number ranges: leads' scores (which routing reads) must not change the Flow outcomes predicted
        Journey journey = chat ? chats.arrive(random, number("1558", user.getAsInt()))
                : flows.arrive(random, number("1557", user.getAsInt()));
        runner.start(journey, () -> population.release(user.getAsInt()));
    }

    private static String number(String prefix, int user) {
        return prefix + String.format("%07d", user);
    }

    private void ping() {
        try {
            flows.ping();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("health-check ping failed", e);
        }
    }

    /** A load test's course: arrivals for the duration, a bounded drain, then the report. */
    private void runToEnd() {
        try {
            arrivals.await(config.duration().plus(Duration.ofSeconds(5)));
            if (!runner.awaitIdle(config.drain())) {
                log.info("{} users still busy after the {} drain; cutting them off", runner.active(), config.drain());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** The numbers so far. */
    public LoadReport report() {
        return tally.report(config.toString(), graph == null ? -1 : graph.count());
    }

    /** The Graph API stand-in of this run, if one was started or given. */
    public Optional<GraphApiStandIn> graphApi() {
        return Optional.ofNullable(graph);
    }

    /** Waits until the run has ended (a load test by itself, a demo when closed) and returns its final report. */
    public LoadReport await() throws InterruptedException {
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the simulation failed", e.getCause());
        }
    }

    /** Stops arrivals and pings, cuts off the users still busy, and (in a load test) prints the table. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        arrivals.close();
        runner.close();
        meta.shutdownNow();
        try {
            meta.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LoadReport report = report();
        if (ownsGraph) {
            graph.close();
        }
        if (config.mode() == SimulatorConfig.Mode.LOAD && config.out() != null) {
            config.out().println();
            config.out().print(report.table());
            config.out().flush();
        } else if (config.mode() == SimulatorConfig.Mode.DEMO) {
            logSummary();
        }
        finished.complete(report);
    }
}
