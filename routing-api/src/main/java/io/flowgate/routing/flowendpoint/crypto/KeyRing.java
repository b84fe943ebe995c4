package io.flowgate.routing.flowendpoint.crypto;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The private keys the Flow endpoint accepts: the current one and, during a rotation, the previous
 * one. Meta caches the business public key, so after a new key is uploaded some clients still
 * encrypt for the old one for a while; keeping both means no request fails in between.
 *
 * <p>Its {@link #toString()} and {@link #describe()} show only public facts (sizes and SHA-256
 * fingerprints of the public keys), which is what an operator needs to check that the right key
 * is loaded.
 */
final class KeyRing {

    static final String CURRENT = "current";
    static final String PREVIOUS = "previous";

    /** The setting named when the previous key's passphrase is missing. */
    static final String PREVIOUS_PASSPHRASE_VARIABLE = "FLOWGATE_PREVIOUS_PRIVATE_KEY_PASSPHRASE";

    private final RSAPrivateCrtKey current;
    private final RSAPrivateCrtKey previous;
    private final RSAPublicKey currentPublic;
    private final RSAPublicKey previousPublic;

    private KeyRing(RSAPrivateCrtKey current, RSAPrivateCrtKey previous) {
        this.current = current;
        this.previous = previous;
        this.currentPublic = publicKeyOf(current);
        this.previousPublic = previous == null ? null : publicKeyOf(previous);
    }

    /**
     * @param current        the key Meta has now (required)
     * @param previousOrNull the key it had before a rotation, or null
     * @throws IllegalArgumentException if a key is not an RSA private key with CRT parameters
     */
    static KeyRing of(PrivateKey current, PrivateKey previousOrNull) {
        Objects.requireNonNull(current, "current private key");
        return new KeyRing(rsa(current, CURRENT), previousOrNull == null ? null : rsa(previousOrNull, PREVIOUS));
    }

    /**
     * Loads the current key and, if a path is given, the previous one (see {@link PrivateKeyLoader}
     * for the formats). A problem with either file fails the whole load.
     */
    static KeyRing load(Path currentPem, char[] passphraseOrNull, Path previousPemOrNull, char[] previousPassphraseOrNull)
            throws KeyLoadException {
        Objects.requireNonNull(currentPem, "currentPem");
        RSAPrivateCrtKey current = PrivateKeyLoader.load(currentPem, passphraseOrNull, PrivateKeyLoader.PASSPHRASE_VARIABLE);
        RSAPrivateCrtKey previous = previousPemOrNull == null
                ? null
                : PrivateKeyLoader.load(previousPemOrNull, previousPassphraseOrNull, PREVIOUS_PASSPHRASE_VARIABLE);
        return new KeyRing(current, previous);
    }

    RSAPrivateCrtKey current() {
        return current;
    }

    /** The previous key, or null when no rotation is in progress. */
    RSAPrivateCrtKey previous() {
        return previous;
    }

    /** The public half of the current key: what is uploaded to Meta. */
    PublicKey currentPublicKey() {
        return currentPublic;
    }

    /** The public half of the previous key, or null. */
    PublicKey previousPublicKey() {
        return previousPublic;
    }

    /**
     * The SPKI PEM ({@code -----BEGIN PUBLIC KEY-----}, 64-character lines) that Meta's
     * {@code whatsapp_business_encryption} API takes, the same text {@code openssl rsa -pubout} prints.
     */
    static String toPublicPem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** {@code SHA256:<hex>} of the DER public key, to tell keys apart in logs without showing them. */
    static String fingerprint(PublicKey key) {
        try {
            return "SHA256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** For a start-up log line, e.g. {@code current RSA-2048 SHA256:ab12…, previous none}. */
    String describe() {
        return CURRENT + " " + summary(currentPublic) + ", " + PREVIOUS + " " + (previousPublic == null ? "none" : summary(previousPublic));
    }

    @Override
    public String toString() {
        return "KeyRing[" + describe() + "]";
    }

    private static String summary(RSAPublicKey key) {
        return "RSA-" + key.getModulus().bitLength() + " " + fingerprint(key);
    }

    private static RSAPrivateCrtKey rsa(PrivateKey key, String slot) {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return rsa;
        }
        // the class name says what was passed without printing the key (some toString()s print it)
        throw new IllegalArgumentException("the " + slot + " key must be an RSA private key with CRT parameters, not "
                + key.getAlgorithm() + " (" + key.getClass().getSimpleName() + ")");
    }

    private static RSAPublicKey publicKeyOf(RSAPrivateCrtKey key) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the RSA key's public half cannot be built", e);
        }
    }
}
