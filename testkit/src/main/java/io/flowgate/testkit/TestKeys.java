package io.flowgate.testkit;

import javax.crypto.Cipher;
import java.io.ByteArrayOutputStream;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * RSA-2048 key pairs for tests, and their PEM text in the formats users keep keys in: PKCS#8 plain
 * ({@code PRIVATE KEY}) or encrypted with PBES2 ({@code ENCRYPTED PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) and the SPKI public key ({@code PUBLIC KEY}). JDK only; the formats OpenSSL
 * writes with legacy ciphers are made by the tests that need them with the {@code openssl} command.
 */
public final class TestKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PBES2 = "PBEWithHmacSHA256AndAES_256";
    /** OID 1.2.840.113549.1.5.13 (PBES2), DER. */
    private static final byte[] PBES2_OID = {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x05, 0x0D};

    private TestKeys() {
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text of {@code der}; {@code type} is e.g. {@code PUBLIC KEY} for SPKI, {@code PRIVATE KEY} for PKCS#8. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    public static String pkcs8Pem(KeyPair pair) {
        return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
    }

    /** The public key as SPKI PEM ({@code BEGIN PUBLIC KEY}), as Meta's key upload takes it. */
    public static String publicKeyPem(KeyPair pair) {
        return pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    /** The private key as PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}, OpenSSL's "traditional" format), unencrypted. */
    public static String pkcs1Pem(KeyPair pair) {
        return pem("RSA PRIVATE KEY", pkcs1Der(pair.getPrivate().getEncoded()));
    }

    /** The private key as PKCS#8 encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) under {@code passphrase}. */
    public static String encryptedPkcs8Pem(KeyPair pair, String passphrase) {
        try {
            byte[] salt = new byte[16];
            byte[] iv = new byte[16];
            RANDOM.nextBytes(salt);
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance(PBES2);
            cipher.init(Cipher.ENCRYPT_MODE, SecretKeyFactory.getInstance(PBES2).generateSecret(new PBEKeySpec(passphrase.toCharArray())),
                    new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
            byte[] encrypted = cipher.doFinal(pair.getPrivate().getEncoded());
            // EncryptedPrivateKeyInfo { AlgorithmIdentifier { PBES2, PBES2-params }, OCTET STRING }, written out by hand:
            // JDK 17's EncryptedPrivateKeyInfo(AlgorithmParameters, ...) does not know the PBES2 names
            byte[] algorithm = tlv(0x30, PBES2_OID, cipher.getParameters().getEncoded());
            return pem("ENCRYPTED PRIVATE KEY", tlv(0x30, algorithm, tlv(0x04, encrypted)));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK cannot encrypt a PKCS#8 key: " + e, e);
        }
    }

    /** Writes the private key as an unencrypted PKCS#8 PEM file in {@code dir}; returns its path. */
    public static Path writePkcs8(KeyPair pair, Path dir, String name) {
        return write(dir, name, pkcs8Pem(pair));
    }

    /** Writes {@code pem} as the file {@code name} in {@code dir} (created if missing); returns its path. */
    public static Path write(Path dir, String name, String pem) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve(name), pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The RSAPrivateKey (PKCS#1) inside a PrivateKeyInfo (PKCS#8): SEQUENCE { INTEGER version,
     * SEQUENCE algorithm, OCTET STRING privateKey }, the content of the OCTET STRING.
     */
    static byte[] pkcs1Der(byte[] pkcs8) {
        int[] at = {0};
        expect(pkcs8, at, 0x30);
        length(pkcs8, at);
        expect(pkcs8, at, 0x02);
        skip(pkcs8, at);
        expect(pkcs8, at, 0x30);
        skip(pkcs8, at);
        expect(pkcs8, at, 0x04);
        int n = length(pkcs8, at);
        return Arrays.copyOfRange(pkcs8, at[0], at[0] + n);
    }

    private static void expect(byte[] der, int[] at, int tag) {
        if ((der[at[0]++] & 0xFF) != tag) {
            throw new IllegalArgumentException("not a PKCS#8 RSA key: tag " + tag + " expected at " + (at[0] - 1));
        }
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.size();
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    private static void skip(byte[] der, int[] at) {
        int n = length(der, at);
        at[0] += n;
    }

    private static int length(byte[] der, int[] at) {
        int first = der[at[0]++] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int n = 0;
        for (int i = 0; i < (first & 0x7F); i++) {
            n = (n << 8) | (der[at[0]++] & 0xFF);
        }
        return n;
    }
}
