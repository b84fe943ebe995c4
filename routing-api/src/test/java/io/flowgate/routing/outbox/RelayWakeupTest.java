package io.flowgate.routing.outbox;

import io.flowgate.embedded.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's wake-ups against a real PostgreSQL: after a {@code NOTIFY} the next one waits for the pause, so a
 * stream of commits sends one wake-up per pause instead of one per commit, and the commits of the pause are
 * still announced by the wake-up after it (none is lost).
 */
class RelayWakeupTest {

    @Test
    void wakeUpsDuringThePauseAreCoveredByOneNotifyAfterIt() throws Exception {
        String url = EmbeddedPostgresServer.shared().newDatabase("wakeups");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(EmbeddedPostgresServer.shared().user());
        // a long pause, so that the wake-ups below fall into it even on a loaded machine
        RelayWakeup wakeup = new RelayWakeup(ds, Duration.ofSeconds(8));
        try (Connection listener = ds.getConnection(); Statement st = listener.createStatement()) {
            st.execute("LISTEN " + RelayWakeup.CHANNEL);
            AtomicInteger heard = new AtomicInteger();

            wakeup.wake();
            await().atMost(60, TimeUnit.SECONDS).until(() -> count(listener, heard) == 1);
            // ten commits, each well after the previous NOTIFY would have gone out without the pause
            for (int i = 0; i < 10; i++) {
                wakeup.wake();
                Thread.sleep(50);
                count(listener, heard);
            }
            await().atMost(60, TimeUnit.SECONDS).until(() -> count(listener, heard) >= 2);
            Thread.sleep(200);
            assertThat(count(listener, heard)).as("NOTIFYs heard: the first, then one for the ten commits of its pause")
                    .isEqualTo(2);
        } finally {
            wakeup.destroy();
        }
    }

    private static int count(Connection listener, AtomicInteger heard) throws Exception {
        PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(100);
        return heard.addAndGet(notifications == null ? 0 : notifications.length);
    }
}
