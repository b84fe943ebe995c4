package io.flowgate.routing.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionSystemException;

import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides, in one place for the Flow endpoint and the admin API, whether a failure means "the database
 * cannot be reached or was lost" (answered 503 with {@code Retry-After}) rather than a bug (500). A lost
 * connection surfaces in many wrappings: a failed connect, a pool timeout, a statement on a closed
 * connection, or a {@link TransactionSystemException} "JDBC rollback failed" when the rollback after the
 * first failure hits the same dead connection. So the whole cause chain is walked, and SQLStates of
 * class 08 (connection exception), 57P01-57P03 (server shutting down or starting) and 53300 (too many
 * connections) count too, and a socket failure below a database failure.
 * <p>
 * An outage is logged as such, once when it starts and then at most every {@value #REPORT_EVERY_SECONDS}
 * seconds with the number of requests answered 503 since: one line each, no stack traces.
 */
public final class DatabaseOutage {

    static final long REPORT_EVERY_SECONDS = 10;
    private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);
    private static final Set<String> OUTAGE_STATES = Set.of("57P01", "57P02", "57P03", "53300");
    private static final long REPORT_EVERY_NANOS = Duration.ofSeconds(REPORT_EVERY_SECONDS).toNanos();
    private static final AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_EVERY_NANOS);
    private static final AtomicLong refusedSinceReport = new AtomicLong();

    private DatabaseOutage() {
    }

    /** True when {@code failure}, or anything in its cause chain, means the database is unreachable or was lost. */
    public static boolean isOutage(Throwable failure) {
        int depth = 0;
        boolean fromDatabase = false;
        for (Throwable t = failure; t != null && t != t.getCause() && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            fromDatabase |= t instanceof SQLException || t instanceof DataAccessException || t instanceof TransactionException;
            // a socket failure only below a database failure: a client that hung up is no outage
            if (fromDatabase && (t instanceof ConnectException || t instanceof SocketException)) {
                return true;
            }
            if (t instanceof TransactionSystemException tx) {
                // a commit or rollback that fails in JDBC has lost its connection (Hikari's closed proxy says
                // only "Connection is closed", without SQLState); the failure it hides may say more
                if (tx.getCause() instanceof SQLException || isOutage(tx.getApplicationException())) {
                    return true;
                }
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || OUTAGE_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Logs a request answered 503 because of {@code failure} (which {@link #isOutage} accepted) as a
     * database outage: the first one at once, the following ones summed up in the next line.
     */
    public static void report(String where, Throwable failure) {
        long refused = refusedSinceReport.incrementAndGet();
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last >= REPORT_EVERY_NANOS && lastReport.compareAndSet(last, now)) {
            refusedSinceReport.addAndGet(-refused);
            log.warn("database outage: {} answered 503 with Retry-After ({} request(s) since the last such line); cause: {}",
                    where, refused, rootCause(failure));
        }
    }

    /**
     * {@code failure} ready for an error log: a failed rollback hides the failure that caused it, which
     * {@code TransactionTemplate} would log with a stack trace of its own (its logger is off, see
     * application.yml); it is attached here as a suppressed exception instead, so a real bug shows it once.
     */
    public static Throwable forLog(Throwable failure) {
        if (failure instanceof TransactionSystemException tx && tx.getApplicationException() != null
                && java.util.Arrays.stream(tx.getSuppressed()).noneMatch(s -> s == tx.getApplicationException())) {
            tx.addSuppressed(tx.getApplicationException());
        }
        return failure;
    }

    /** The innermost cause, class and SQLState only: database messages may quote row values. */
    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        int depth = 0;
        while (root.getCause() != null && root.getCause() != root && depth++ < 32) {
            root = root.getCause();
        }
        String state = root instanceof SQLException sql && sql.getSQLState() != null ? " (SQLState " + sql.getSQLState() + ")" : "";
        return root.getClass().getSimpleName() + state;
    }
}
