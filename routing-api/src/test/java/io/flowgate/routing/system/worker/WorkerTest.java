package io.flowgate.routing.system.worker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.flowgate.routing.system.worker.Worker.Step;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The worker skeleton on its own: backoff, stopping, surviving exceptions, and its two log lines per failing streak. */
class WorkerTest {

    private static final Duration LONG = Duration.ofHours(1);
    private static final Duration GENEROUS = Duration.ofSeconds(60);
    /** Far longer than a woken thread needs to end, far shorter than the waits it is woken from. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Logger logger = (Logger) LoggerFactory.getLogger("io.flowgate.routing.system.worker.TestWorker");
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private TestWorker worker;

    /** A worker whose steps are given by the test, one by one. */
    private class TestWorker extends Worker {
        final BlockingQueue<Callable<Step>> steps = new LinkedBlockingQueue<>();
        final AtomicInteger stepsTaken = new AtomicInteger();
        final List<Duration> backoffs = new CopyOnWriteArrayList<>();
        volatile boolean stoppedCalled;
        volatile boolean bugs;
        volatile boolean interruptOnStop;

        TestWorker(Duration idle, Duration minBackoff, Duration maxBackoff) {
            super("flowgate-test-worker", logger, idle, minBackoff, maxBackoff, STOP_GRACE);
        }

        @Override
        protected Step step() throws Exception {
            Callable<Step> next = steps.poll();
            stepsTaken.incrementAndGet();
            return next == null ? Step.IDLE : next.call();
        }

        @Override
        protected String failureMessage(Throwable cause) {
            return "test worker cannot work (" + cause.getMessage() + ")";
        }

        @Override
        protected String recoveryMessage() {
            return "test worker works again";
        }

        @Override
        protected boolean worthWarning(Throwable cause) {
            return !(cause instanceof IllegalStateException);
        }

        @Override
        protected boolean isBug(Throwable cause) {
            return bugs;
        }

        @Override
        protected void unblock() {
            if (interruptOnStop) {
                interruptThread();
            }
        }

        @Override
        protected void stopped() {
            stoppedCalled = true;
        }

        @Override
        void backingOff(Duration wait) {
            backoffs.add(wait);
        }

        /** Queues steps and waits until the worker took them all. */
        void run(List<Callable<Step>> queued) {
            int before = stepsTaken.get();
            steps.addAll(queued);
            wake();
            // one step more: the idle one after the queued steps, taken once their outcome was handled
            await().atMost(GENEROUS).until(() -> steps.isEmpty() && stepsTaken.get() >= before + queued.size() + 1);
        }
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        logger.addAppender(logs);
        logger.setLevel(Level.DEBUG);
    }

    @AfterEach
    void stopWorker() {
        if (worker != null) {
            worker.stop();
        }
        logger.detachAppender(logs);
    }

    private static Callable<Step> failing(String why) {
        return () -> {
            throw new SQLException(why);
        };
    }

    private static Callable<Step> worked() {
        return () -> Step.WORKED;
    }

    private List<String> lines(Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void backoffDoublesUpToItsLimitAndStartsOverAfterASuccess() {
        worker = new TestWorker(LONG, Duration.ofMillis(1), Duration.ofMillis(8));
        worker.start();
        worker.run(List.of(failing("a"), failing("a"), failing("a"), failing("a"), failing("a"), worked(), failing("b"), failing("b")));

        assertThat(worker.backoffs).extracting(Duration::toMillis).containsExactly(1L, 2L, 4L, 8L, 8L, 1L, 2L);
    }

    @Test
    void stopEndsAnIdleWaitAndABackoffWaitAtOnce() {
        worker = new TestWorker(LONG, LONG, LONG);
        worker.start();
        await().atMost(GENEROUS).until(() -> worker.stepsTaken.get() == 1); // now waiting an hour
        worker.stop();
        assertThat(worker.stoppedCalled).isTrue();

        TestWorker backingOff = new TestWorker(LONG, LONG, LONG);
        backingOff.steps.add(failing("down"));
        backingOff.start();
        await().atMost(GENEROUS).until(() -> backingOff.backoffs.size() == 1); // now backing off for an hour
        backingOff.stop();
        assertThat(backingOff.stoppedCalled).isTrue();
    }

    @Test
    void stopInterruptsAStepThatBlocksWhenTheWorkerAsksForIt() {
        worker = new TestWorker(LONG, LONG, LONG);
        worker.interruptOnStop = true;
        worker.steps.add(() -> {
            Thread.sleep(LONG.toMillis());
            return Step.WORKED;
        });
        worker.start();
        await().atMost(GENEROUS).until(() -> worker.stepsTaken.get() == 1);
        worker.stop();
        assertThat(worker.stoppedCalled).isTrue();
        assertThat(lines(Level.WARN)).isEmpty(); // an interrupt on stop is no failure worth a warning
    }

    @Test
    void wakeEndsAnIdleWait() {
        worker = new TestWorker(LONG, Duration.ofMillis(1), Duration.ofMillis(1));
        worker.start();
        await().atMost(GENEROUS).until(() -> worker.stepsTaken.get() == 1);
        worker.wake();
        await().atMost(GENEROUS).until(() -> worker.stepsTaken.get() == 2);
    }

    @Test
    void noExceptionEndsTheThread() {
        worker = new TestWorker(LONG, Duration.ofMillis(1), Duration.ofMillis(1));
        worker.start();
        worker.run(List.of(
                () -> {
                    throw new NullPointerException("a bug");
                },
                () -> {
                    throw new AssertionError("an assertion");
                },
                () -> {
                    throw new NoClassDefFoundError("a missing class");
                },
                failing("checked"),
                () -> {
                    throw new InterruptedException("interrupted by someone else");
                },
                worked()));

        assertThat(worker.isRunning()).isTrue();
        assertThat(worker.stoppedCalled).isFalse();
        assertThat(worker.backoffs).hasSize(5);
        worker.run(List.of(worked())); // still stepping
    }

    @Test
    void aFailingStreakLogsOneWarningAndOneRecoveryLine() {
        worker = new TestWorker(LONG, Duration.ofMillis(1), Duration.ofMillis(1));
        worker.start();
        worker.run(List.of(failing("database away"), failing("database away"), failing("database away"), worked(), worked()));

        assertThat(lines(Level.WARN)).containsExactly("test worker cannot work (database away); retrying with backoff up to 0 s");
        assertThat(lines(Level.INFO)).singleElement().satisfies(line ->
                assertThat(line).matches("test worker works again after 3 failure\\(s\\) in \\d+ s"));

        // a new streak: its own warning and recovery line
        worker.run(List.of(failing("again"), worked()));
        assertThat(lines(Level.WARN)).hasSize(2).last().asString().contains("(again)");
        assertThat(lines(Level.INFO)).hasSize(2);
    }

    @Test
    void aFailureReportedElsewhereIsNoWarningAndABugCarriesItsStackTrace() {
        worker = new TestWorker(LONG, Duration.ofMillis(1), Duration.ofMillis(1));
        worker.start();
        worker.run(List.of(() -> {
            throw new IllegalStateException("known elsewhere");
        }, worked()));
        assertThat(lines(Level.WARN)).isEmpty();
        assertThat(lines(Level.INFO)).isEmpty();
        assertThat(lines(Level.DEBUG)).anySatisfy(line -> assertThat(line).contains("works again after 1 failure(s)"));

        worker.bugs = true;
        worker.run(List.of(() -> {
            throw new NullPointerException("a bug");
        }, worked()));
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
                .satisfies(e -> assertThat(e.getThrowableProxy().getClassName()).isEqualTo(NullPointerException.class.getName()));
    }
}
