package io.flowgate.routing.flowendpoint.crypto;

import java.util.Objects;

/**
 * One decrypted Flow endpoint request, with the AES key and IV that the response must be encrypted
 * with (and that a 427 body needs too), so they are kept only as long as the request is handled.
 *
 * <p>The arrays are not copied: they belong to this request and must not be changed. {@link
 * #toString()} shows sizes and the key slot only, never the key, the IV or the plaintext, so the
 * record can appear in a log line or a debugger without leaking the user's data.
 *
 * @param plaintext the UTF-8 JSON payload
 * @param aesKey    the 16-byte AES-128 key from {@code encrypted_aes_key}
 * @param iv        the 16-byte request IV (the response uses it with every bit flipped)
 * @param keyName   which private key decrypted it: {@code "current"} or {@code "previous"}
 */
public record DecryptedRequest(byte[] plaintext, byte[] aesKey, byte[] iv, String keyName) {

    public DecryptedRequest {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(aesKey, "aesKey");
        Objects.requireNonNull(iv, "iv");
        Objects.requireNonNull(keyName, "keyName");
    }

    @Override
    public String toString() {
        return "DecryptedRequest[plaintext=" + plaintext.length + " bytes, aesKey=(hidden), iv=(hidden), keyName=" + keyName + "]";
    }
}
