package io.flowgate.routing.flowendpoint.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The encryption of the Flow data endpoint (whatsapp-protocol.md §1.2): each request carries a
 * fresh AES-128 key wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256) for the business public key, and
 * its payload sealed with AES-128-GCM under a 16-byte IV; the response is sealed with the same key
 * and the IV with every bit flipped.
 *
 * <p>Every way a request can fail to decrypt ends in an {@link UndecryptableRequestException} with
 * a short reason, which the endpoint turns into HTTP 421, so bad input can never cause a 500. The
 * cheap checks (base64, IV and length) come before the RSA operation, so garbage does not cost a
 * private-key operation.
 *
 * <p>Stateless apart from the keys, and safe to share between threads. A {@link Cipher} is made
 * per operation: the keys are converted to the RSA provider's own key class once, here, after
 * which a new Cipher costs nothing measurable next to the RSA operation (see docs/benchmarks.md),
 * and GCM forbids reusing an encrypting Cipher with the same key and IV anyway.
 */
public final class FlowCrypto {

    /** With the parameters given explicitly: the name alone means MGF1-SHA-1 to SunJCE and is unknown to ACCP. */
    static final String RSA_TRANSFORMATION = "RSA/ECB/OAEPPadding";
    static final OAEPParameterSpec OAEP_SHA256 =
            new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
    static final String AES_TRANSFORMATION = "AES/GCM/NoPadding";
    static final int GCM_TAG_BITS = 128;
    static final int GCM_TAG_BYTES = GCM_TAG_BITS / 8;
    static final int IV_BYTES = 16;
    static final int AES_KEY_BYTES = 16;

    private final List<Slot> slots;
    private final Provider rsaProvider;
    private final Provider aesProvider;

    /** One private key and the name reported for requests it decrypts. */
    private record Slot(String name, PrivateKey key) {
        @Override
        public String toString() {
            return "Slot[" + name + "]";
        }
    }

    /** With the providers {@link CryptoProviders} chose for this machine. */
    FlowCrypto(KeyRing keys) {
        this(keys, CryptoProviders.rsa(), CryptoProviders.aes());
    }

    /**
     * With given providers (tests run every provider through the same cases).
     *
     * @throws IllegalArgumentException if a key fails its start-up self-test (encrypt for its public
     *                                  key, decrypt with it): a damaged key is refused here rather
     *                                  than answering every request with 421
     */
    FlowCrypto(KeyRing keys, Provider rsaProvider, Provider aesProvider) {
        Objects.requireNonNull(keys, "keys");
        this.rsaProvider = Objects.requireNonNull(rsaProvider, "rsaProvider");
        this.aesProvider = Objects.requireNonNull(aesProvider, "aesProvider");
        Slot current = slot(KeyRing.CURRENT, keys.current(), keys.currentPublicKey());
        this.slots = keys.previous() == null
                ? List.of(current)
                : List.of(current, slot(KeyRing.PREVIOUS, keys.previous(), keys.previousPublicKey()));
    }

    /**
     * Decrypts one request envelope: the three base64 fields of the request body. Tries the current
     * key, then the previous one.
     *
     * @throws UndecryptableRequestException for anything that does not decrypt; never a RuntimeException for bad input
     */
    public DecryptedRequest decrypt(String encryptedAesKey, String encryptedFlowData, String initialVector)
            throws UndecryptableRequestException {
        byte[] wrappedKey = base64(encryptedAesKey);
        byte[] sealed = base64(encryptedFlowData);
        byte[] iv = base64(initialVector);
        if (iv.length != IV_BYTES) {
            throw new UndecryptableRequestException(UndecryptableRequestException.BAD_IV);
        }
        if (sealed.length < GCM_TAG_BYTES) {
            // also keeps SunJCE from throwing ProviderException (unchecked) for input shorter than the tag
            throw new UndecryptableRequestException(UndecryptableRequestException.TOO_SHORT);
        }
        for (Slot slot : slots) {
            byte[] aesKey = unwrap(slot.key(), wrappedKey);
            if (aesKey == null) {
                continue;
            }
            if (aesKey.length != AES_KEY_BYTES) {
                Arrays.fill(aesKey, (byte) 0);
                throw new UndecryptableRequestException(UndecryptableRequestException.BAD_KEY_LENGTH);
            }
            try {
                return new DecryptedRequest(open(aesKey, iv, sealed), aesKey, iv, slot.name());
            } catch (UndecryptableRequestException e) {
                Arrays.fill(aesKey, (byte) 0);
                throw e;
            }
        }
        throw new UndecryptableRequestException(UndecryptableRequestException.RSA);
    }

    /**
     * Seals a response for the request it answers: AES-128-GCM with the request's key and its IV
     * with every bit flipped, 128-bit tag.
     *
     * @return base64 (standard alphabet, padded) of ciphertext||tag: the HTTP response body
     */
    public String encryptResponse(byte[] responseJson, DecryptedRequest request) {
        Objects.requireNonNull(responseJson, "responseJson");
        Objects.requireNonNull(request, "request");
        byte[] flipped = new byte[request.iv().length];
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = (byte) (request.iv()[i] ^ 0xFF);
        }
        try {
            Cipher cipher = Cipher.getInstance(AES_TRANSFORMATION, aesProvider);
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(request.aesKey(), "AES"), new GCMParameterSpec(GCM_TAG_BITS, flipped));
            return Base64.getEncoder().encodeToString(cipher.doFinal(responseJson));
        } catch (GeneralSecurityException e) {
            // the key and IV came out of decrypt(), so this is the provider failing, not the input
            throw new IllegalStateException("AES-GCM encryption of a Flow response failed", e);
        }
    }

    private static byte[] base64(String field) throws UndecryptableRequestException {
        if (field == null || field.isEmpty()) {
            throw new UndecryptableRequestException(UndecryptableRequestException.BAD_BASE64);
        }
        try {
            return Base64.getDecoder().decode(field);
        } catch (IllegalArgumentException e) {
            throw new UndecryptableRequestException(UndecryptableRequestException.BAD_BASE64);
        }
    }

    /** The AES key inside {@code wrapped}, or null if this private key does not open it. */
    private byte[] unwrap(PrivateKey key, byte[] wrapped) {
        try {
            Cipher rsa = Cipher.getInstance(RSA_TRANSFORMATION, rsaProvider);
            rsa.init(Cipher.DECRYPT_MODE, key, OAEP_SHA256);
            return rsa.doFinal(wrapped);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Any failure means "not for this key": OAEP does not say why (that would be a padding
            // oracle), and providers differ in which exception a malformed block raises, some of
            // them unchecked.
            return null;
        }
    }

    private byte[] open(byte[] aesKey, byte[] iv, byte[] sealed) throws UndecryptableRequestException {
        try {
            Cipher cipher = Cipher.getInstance(AES_TRANSFORMATION, aesProvider);
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(GCM_TAG_BITS, iv));
            return cipher.doFinal(sealed);
        } catch (GeneralSecurityException | RuntimeException e) {
            // AEADBadTagException for a forged or damaged payload; unchecked ones are providers'
            // ways of refusing odd input, which is still the caller's input
            throw new UndecryptableRequestException(UndecryptableRequestException.GCM);
        }
    }

    /**
     * The key in the RSA provider's own key class, so that the provider does not convert it on every
     * request (for ACCP that conversion costs more than the RSA operation), after checking that it
     * decrypts what is encrypted for its public half.
     */
    private Slot slot(String name, PrivateKey key, PublicKey publicKey) {
        PrivateKey ownKey = inProviderKeyClass(key, rsaProvider);
        if (!selfTest(ownKey, publicKey)) {
            throw new IllegalArgumentException("the " + name + " private key fails its self-test with "
                    + rsaProvider.getName() + ": what is encrypted for its public key does not decrypt (the key is damaged)");
        }
        return new Slot(name, ownKey);
    }

    /** {@code key} converted to {@code provider}'s own RSA key class, or as it is if the provider cannot convert it. */
    static PrivateKey inProviderKeyClass(PrivateKey key, Provider provider) {
        try {
            return (PrivateKey) KeyFactory.getInstance("RSA", provider).translateKey(key);
        } catch (GeneralSecurityException | RuntimeException e) {
            // the provider takes foreign keys too, only more slowly
            return key;
        }
    }

    private boolean selfTest(PrivateKey key, PublicKey publicKey) {
        byte[] probe = new byte[AES_KEY_BYTES];
        new SecureRandom().nextBytes(probe);
        try {
            Cipher encrypt = Cipher.getInstance(RSA_TRANSFORMATION, CryptoProviders.jdk());
            encrypt.init(Cipher.ENCRYPT_MODE, publicKey, OAEP_SHA256);
            return Arrays.equals(probe, unwrap(key, encrypt.doFinal(probe)));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
