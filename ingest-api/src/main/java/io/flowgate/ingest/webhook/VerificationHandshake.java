package io.flowgate.ingest.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Meta's subscription handshake ({@code GET /webhook?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..}):
 * the callback proves it knows the verify token by echoing the challenge. The token is compared in
 * constant time over SHA-256 digests, so neither its content nor its length shows in the timing.
 */
final class VerificationHandshake {

    /** Meta's challenges are short numbers; anything much longer is not a handshake worth echoing. */
    static final int MAX_CHALLENGE_LENGTH = 256;
    private static final String SUBSCRIBE = "subscribe";

    private final byte[] tokenDigest;

    /** @param verifyToken the configured token; null or blank means every handshake fails */
    VerificationHandshake(String verifyToken) {
        this.tokenDigest = verifyToken == null || verifyToken.isBlank() ? null : sha256(verifyToken);
    }

    boolean isConfigured() {
        return tokenDigest != null;
    }

    /** True when the mode is {@code subscribe} and the token is the configured one. */
    boolean accepts(String mode, String token) {
        if (tokenDigest == null || token == null) {
            return false;
        }
        boolean tokenMatches = MessageDigest.isEqual(tokenDigest, sha256(token));
        return tokenMatches && SUBSCRIBE.equals(mode);
    }

    /**
     * A challenge echoed verbatim must be harmless in any client that shows it: 1 to
     * {@value #MAX_CHALLENGE_LENGTH} visible ASCII characters, no spaces, no control characters.
     */
    static boolean isEchoable(String challenge) {
        if (challenge == null || challenge.isEmpty() || challenge.length() > MAX_CHALLENGE_LENGTH) {
            return false;
        }
        for (int i = 0; i < challenge.length(); i++) {
            char c = challenge.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
