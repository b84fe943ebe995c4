package io.flowgate.routing.flowendpoint.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Optional;

/**
 * Chooses the JCA providers for the Flow endpoint's RSA-OAEP and AES-GCM. The RSA-2048 private-key
 * operation is the endpoint's cost floor; the Amazon Corretto Crypto Provider (ACCP, native AWS-LC)
 * does it about 2.7 times faster than the JDK on this project's machines, and its AES-GCM is faster
 * too (see docs/benchmarks.md). ACCP only runs where its native library loads (Linux x86_64 and
 * aarch64), so the JDK's SunJCE is the fallback.
 *
 * <p>ACCP is used only where it proves, once per JVM, that it does exactly the protocol's
 * operations: a round trip against SunJCE of RSA-OAEP with SHA-256 and MGF1-SHA-256 and of AES-GCM
 * with a 16-byte IV, and the refusal of a bad GCM tag. The providers are handed to the ciphers
 * explicitly and never installed in {@link Security}, so nothing else in the JVM (TLS, JDBC)
 * changes provider because of the Flow endpoint.
 */
public final class CryptoProviders {

    private static final Logger log = LoggerFactory.getLogger(CryptoProviders.class);

    private CryptoProviders() {
    }

    /** The provider for {@code RSA/ECB/OAEPPadding} decryption. */
    static Provider rsa() {
        return Chosen.RSA;
    }

    /** The provider for {@code AES/GCM/NoPadding}. */
    static Provider aes() {
        return Chosen.AES;
    }

    /** e.g. {@code AmazonCorrettoCryptoProvider 2.5.0 (native)}, or both when RSA and AES differ. */
    public static String describe() {
        if (Chosen.RSA == Chosen.AES) {
            return describe(Chosen.RSA);
        }
        return "RSA-OAEP " + describe(Chosen.RSA) + ", AES-GCM " + describe(Chosen.AES);
    }

    static String describe(Provider provider) {
        if (isCorretto(provider)) {
            return provider.getName() + " " + provider.getVersionStr() + " (native)";
        }
        if (provider == jdk()) {
            return provider.getName() + " (JDK)";
        }
        return provider.getName() + " " + provider.getVersionStr();
    }

    /** The JDK's own cipher provider, which is always there. */
    static Provider jdk() {
        Provider sunJce = Security.getProvider("SunJCE");
        if (sunJce != null) {
            return sunJce;
        }
        try {
            // a JDK that renamed or removed SunJCE: whatever the JDK's default for the transformation is
            return Cipher.getInstance(FlowCrypto.RSA_TRANSFORMATION).getProvider();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no provider for " + FlowCrypto.RSA_TRANSFORMATION, e);
        }
    }

    /**
     * ACCP if its native library loaded on this machine and its own self-tests pass; empty
     * otherwise (logged once at INFO, with the reason).
     */
    static Optional<Provider> corretto() {
        return Optional.ofNullable(Corretto.INSTANCE);
    }

    private static boolean isCorretto(Provider provider) {
        return provider != null && provider == Corretto.INSTANCE;
    }

    /** Whether {@code provider} decrypts what SunJCE encrypts with the protocol's exact OAEP parameters. */
    static boolean decryptsOaepSha256(Provider provider) {
        try {
            KeyPair pair = rsaKeyPair(provider);
            byte[] secret = randomBytes(16);
            Cipher encrypt = Cipher.getInstance(FlowCrypto.RSA_TRANSFORMATION, jdk());
            encrypt.init(Cipher.ENCRYPT_MODE, pair.getPublic(), FlowCrypto.OAEP_SHA256);
            byte[] wrapped = encrypt.doFinal(secret);
            Cipher decrypt = Cipher.getInstance(FlowCrypto.RSA_TRANSFORMATION, provider);
            decrypt.init(Cipher.DECRYPT_MODE, pair.getPrivate(), FlowCrypto.OAEP_SHA256);
            return Arrays.equals(secret, decrypt.doFinal(wrapped));
        } catch (GeneralSecurityException | RuntimeException e) {
            log.info("{} cannot do RSA-OAEP with SHA-256/MGF1-SHA-256 ({}); the JDK does it instead", provider.getName(), e.toString());
            return false;
        }
    }

    /** Whether {@code provider} does AES-GCM with the protocol's 16-byte IV like SunJCE, and refuses a bad tag. */
    static boolean doesGcmWith16ByteIv(Provider provider) {
        try {
            SecretKeySpec key = new SecretKeySpec(randomBytes(16), "AES");
            GCMParameterSpec iv = new GCMParameterSpec(FlowCrypto.GCM_TAG_BITS, randomBytes(FlowCrypto.IV_BYTES));
            byte[] plaintext = randomBytes(100);
            byte[] sealed = gcm(provider, Cipher.ENCRYPT_MODE, key, iv, plaintext);
            boolean agrees = Arrays.equals(plaintext, gcm(jdk(), Cipher.DECRYPT_MODE, key, iv, sealed))
                    && Arrays.equals(plaintext, gcm(provider, Cipher.DECRYPT_MODE, key, iv, gcm(jdk(), Cipher.ENCRYPT_MODE, key, iv, plaintext)));
            sealed[sealed.length - 1] ^= 1;
            try {
                gcm(provider, Cipher.DECRYPT_MODE, key, iv, sealed);
                log.warn("{} accepted a forged AES-GCM tag; the JDK does AES-GCM instead", provider.getName());
                return false;
            } catch (AEADBadTagException expected) {
                return agrees;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            log.info("{} cannot do AES-GCM with a 16-byte IV ({}); the JDK does it instead", provider.getName(), e.toString());
            return false;
        }
    }

    /** A throwaway RSA-2048 key pair, from {@code provider} if it generates keys (fast, native), else the JDK. */
    private static KeyPair rsaKeyPair(Provider provider) throws GeneralSecurityException {
        KeyPairGenerator generator;
        try {
            generator = KeyPairGenerator.getInstance("RSA", provider);
        } catch (NoSuchAlgorithmException ciphersOnly) {
            // SunJCE has the cipher; the JDK's key generator lives in SunRsaSign
            generator = KeyPairGenerator.getInstance("RSA");
        }
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static byte[] gcm(Provider provider, int mode, SecretKeySpec key, GCMParameterSpec iv, byte[] input) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(FlowCrypto.AES_TRANSFORMATION, provider);
        cipher.init(mode, key, iv);
        return cipher.doFinal(input);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Loaded on first use: it unpacks and links ACCP's native library. */
    private static final class Corretto {
        static final Provider INSTANCE = load();

        private static Provider load() {
            try {
                AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
                Throwable loadingError = accp.getLoadingError();
                if (loadingError != null) {
                    log.info("Amazon Corretto Crypto Provider is not available on this machine ({})", loadingError.toString());
                    return null;
                }
                accp.assertHealthy();
                return accp;
            } catch (LinkageError | RuntimeException e) {
                log.info("Amazon Corretto Crypto Provider is not available on this machine ({})", e.toString());
                return null;
            }
        }
    }

    /** Chosen once per JVM, on first use. */
    private static final class Chosen {
        static final Provider RSA = corretto().filter(CryptoProviders::decryptsOaepSha256).orElseGet(CryptoProviders::jdk);
        static final Provider AES = corretto().filter(CryptoProviders::doesGcmWith16ByteIv).orElseGet(CryptoProviders::jdk);

        static {
            log.info("Flow endpoint crypto: RSA-OAEP via {}, AES-GCM via {}", describe(RSA), describe(AES));
        }
    }
}
