package io.flowgate.launcher;

/** The embedded run; wired in with routing-api. */
public final class Flowgate {
    private Flowgate() {
    }

    public static void main(String[] args) {
        throw new UnsupportedOperationException("not wired yet");
    }
}
