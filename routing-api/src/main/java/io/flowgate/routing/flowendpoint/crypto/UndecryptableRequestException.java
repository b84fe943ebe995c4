package io.flowgate.routing.flowendpoint.crypto;

/**
 * A Flow endpoint request that cannot be decrypted, which the endpoint answers with HTTP 421 so that
 * the WhatsApp client re-fetches the business public key and retries once.
 *
 * <p>The {@link #reason()} is a short machine word for metrics and logs. The message never holds
 * key material, ciphertext or plaintext: it is built from the reason alone.
 */
public final class UndecryptableRequestException extends Exception {

    /** A field is null, empty or not standard base64. */
    static final String BAD_BASE64 = "bad_base64";
    /** No configured private key RSA-OAEP-decrypts {@code encrypted_aes_key}. */
    static final String RSA = "rsa";
    /** The RSA block decrypted, but the AES key inside is not 16 bytes. */
    static final String BAD_KEY_LENGTH = "bad_key_length";
    /** {@code initial_vector} is not 16 bytes. */
    static final String BAD_IV = "bad_iv";
    /** {@code encrypted_flow_data} is shorter than the 16-byte GCM tag. */
    static final String TOO_SHORT = "too_short";
    /** The GCM tag does not verify: tampered, truncated, or encrypted under another key or IV. */
    static final String GCM = "gcm";

    private final String reason;

    UndecryptableRequestException(String reason) {
        // No cause and no stack trace: this is an expected outcome of bad input, raised on the
        // request path, and the reason says all there is to say. Skipping the stack walk keeps a
        // flood of garbage requests cheap.
        super("undecryptable Flow request: " + reason, null, false, false);
        this.reason = reason;
    }

    /** One of {@code bad_base64, rsa, bad_key_length, bad_iv, too_short, gcm}. */
    public String reason() {
        return reason;
    }
}
