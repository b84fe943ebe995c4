package io.flowgate.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the embedded run keeps the analytics job's state between runs, and which snapshot a new run resumes
 * from: the newest complete one of the retained checkpoints ({@code checkpoints/<job id>/chk-<n>/_metadata},
 * kept when the job is cancelled or the process dies) and the savepoints taken on a clean stop
 * ({@code savepoints/savepoint-…/_metadata}). A checkpoint directory without {@code _metadata} was not
 * completed and is ignored.
 */
final class RetainedState {

    private final Path checkpoints;
    private final Path savepoints;

    RetainedState(Path home) {
        this.checkpoints = home.resolve("checkpoints");
        this.savepoints = home.resolve("savepoints");
    }

    Path checkpoints() {
        return checkpoints;
    }

    Path savepoints() {
        return savepoints;
    }

    /** The directory of the newest complete checkpoint or savepoint, if there is one. */
    Optional<Path> latest() {
        try (Stream<Path> retained = Stream.concat(metadata(checkpoints, 3), metadata(savepoints, 2))) {
            return retained.max(Comparator.comparing(RetainedState::modified).thenComparing(Path::toString))
                    .map(Path::getParent);
        }
    }

    private static Stream<Path> metadata(Path root, int depth) {
        if (!Files.isDirectory(root)) {
            return Stream.empty();
        }
        try {
            return Files.find(root, depth, (path, attributes) -> attributes.isRegularFile()
                    && path.getFileName().toString().equals("_metadata")
                    && (path.getParent().getFileName().toString().startsWith("chk-")
                        || path.getParent().getFileName().toString().startsWith("savepoint-")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
