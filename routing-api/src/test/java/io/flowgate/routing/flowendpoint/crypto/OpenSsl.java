package io.flowgate.routing.flowendpoint.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code openssl} command line, which writes key files exactly as users' tools do. A
 * passphrase goes through the environment ({@code env:FLOWGATE_TEST_PASS}), never the command line.
 */
final class OpenSsl {

    static final String PASS = "env:FLOWGATE_TEST_PASS";

    private OpenSsl() {
    }

    /** Runs {@code openssl args...} in {@code dir}; fails the test with openssl's output if it fails. */
    static String run(Path dir, String... args) {
        return runWithPassphrase(dir, null, args);
    }

    /** As {@link #run}, with {@code passphrase} available to openssl as {@link #PASS}. */
    static String runWithPassphrase(Path dir, String passphrase, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        if (passphrase != null) {
            builder.environment().put("FLOWGATE_TEST_PASS", passphrase);
        }
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited with " + process.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run openssl (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
