package io.flowgate.simulator;

import io.flowgate.simulator.report.LoadReport;

import java.io.PrintStream;

/**
 * The simulator's entry points. {@link #start(SimulatorConfig)} runs a simulation in this JVM (the
 * embedded launcher starts the demo this way and closes it on shutdown); {@link #main(String[])} is
 * the command line ({@code --help} lists the options).
 */
public final class Simulator {

    private Simulator() {
    }

    /**
     * Starts a simulation in the background and returns at once; close it to stop.
     *
     * @throws IllegalArgumentException when the public key cannot be read
     * @throws IllegalStateException    when routing-api cannot be reached or the device_repair Flow is not installed
     */
    public static Simulation start(SimulatorConfig config) throws InterruptedException {
        return Simulation.start(config);
    }

    public static void main(String[] args) throws InterruptedException {
        // before any logger exists; only when nobody chose a configuration (the launcher has its own)
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/flowgate/simulator/logback-cli.xml");
        }
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        SimulatorConfig config;
        try {
            SimulatorConfig.Builder builder = CommandLine.parse(args, System.getenv());
            if (builder == null) {
                out.print(CommandLine.USAGE);
                return 0;
            }
            config = builder.out(out).build();
        } catch (CommandLine.UsageException | IllegalArgumentException e) {
            err.println("simulator: " + e.getMessage());
            err.println("Try: simulator --help");
            return 2;
        }
        Simulation simulation;
        try {
            simulation = start(config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("simulator: " + e.getMessage());
            return 2;
        }
        // Ctrl-C stops a demo, and ends a load test early with the table of what ran
        Thread hook = new Thread(simulation::close, "simulator-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        LoadReport report = simulation.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself ended the run
        }
        boolean clean = report.errors() == 0 && report.checks().unexpected() == 0;
        return config.mode() == SimulatorConfig.Mode.DEMO || clean ? 0 : 1;
    }
}
