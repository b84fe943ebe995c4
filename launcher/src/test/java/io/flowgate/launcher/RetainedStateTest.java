package io.flowgate.launcher;

import io.flowgate.analytics.AnalyticsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetainedStateTest {

    @TempDir
    Path home;

    @Test
    void aFirstStartHasNothingToResumeFrom() throws Exception {
        Files.createDirectories(home.resolve("checkpoints"));
        assertThat(new RetainedState(home).latest()).isEmpty();
    }

    @Test
    void theNewestCompleteCheckpointOrSavepointWins() throws Exception {
        Path older = snapshot("checkpoints/aaaa/chk-7", "2026-12-01T10:00:00Z");
        Path savepoint = snapshot("savepoints/savepoint-aaaa-1", "2026-12-01T10:05:00Z");
        assertThat(new RetainedState(home).latest()).contains(savepoint);

        Path newer = snapshot("checkpoints/bbbb/chk-3", "2026-12-01T10:06:00Z");
        // a checkpoint being written (no _metadata yet) and files that are not snapshots do not count
        Files.createDirectories(home.resolve("checkpoints/bbbb/chk-4"));
        Files.createDirectories(home.resolve("checkpoints/bbbb/shared"));
        Files.writeString(home.resolve("checkpoints/bbbb/shared/_metadata"), "x");
        assertThat(new RetainedState(home).latest()).contains(newer);
        assertThat(older).isNotEqualTo(newer);
    }

    /** The launcher then logs CANNOT RESUME and starts the job without state, rather than a job failing in a loop. */
    @Test
    void aSnapshotThatCannotBeRestoredIsReportedNotIgnored() {
        Path broken = home.resolve("checkpoints/cccc/chk-9");
        AnalyticsOptions options = AnalyticsOptions.fromArgs("--kafka-bootstrap", "localhost:1",
                "--jdbc-url", "jdbc:postgresql://localhost:1/none", "--parallelism", "1",
                "--checkpoint-dir", home.resolve("checkpoints").toUri().toString());

        assertThatThrownBy(() -> {
            snapshot("checkpoints/cccc/chk-9", "2026-12-01T11:00:00Z");
            EmbeddedFlowgate.submitAnalytics(options, broken).cancel();
        }).hasMessageStartingWith("the job did not start").hasMessageContaining("Unexpected magic number");
    }

    private Path snapshot(String dir, String modified) throws Exception {
        Path d = Files.createDirectories(home.resolve(dir));
        Path metadata = Files.writeString(d.resolve("_metadata"), "snapshot");
        Files.setLastModifiedTime(metadata, FileTime.from(Instant.parse(modified)));
        return d;
    }
}
