package io.flowgate.routing.flowendpoint.crypto;

import java.nio.file.Path;

/**
 * The Flow endpoint's private key file could not be used. The message is one line that names the
 * file and says what is wrong with it, so that it can be shown as it is when the service refuses to
 * start. It never holds the passphrase or any key material, and no cause is attached, so a logged
 * stack trace cannot leak either.
 */
public final class KeyLoadException extends Exception {

    private final transient Path file;

    KeyLoadException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file the message is about. */
    public Path file() {
        return file;
    }
}
