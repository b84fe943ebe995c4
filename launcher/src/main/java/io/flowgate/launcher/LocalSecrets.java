package io.flowgate.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Properties;

/**
 * The embedded run's key pair and secrets, made on the first run and kept in the run's home folder
 * (owner-only permissions), so the public key uploaded to Meta stays valid across restarts.
 */
final class LocalSecrets {

    final Path privateKey;
    final Path publicKey;
    final String publicKeyPem;
    final String appSecret;
    final String adminToken;
    final String verifyToken;
    /** The AES key routing-api encrypts webhook signing secrets with: 32 random bytes in base64. */
    final String webhookSecretKey;

    private LocalSecrets(Path privateKey, Path publicKey, String publicKeyPem, Properties secrets) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.publicKeyPem = publicKeyPem;
        this.appSecret = secrets.getProperty("app_secret");
        this.adminToken = secrets.getProperty("admin_token");
        this.verifyToken = secrets.getProperty("verify_token");
        this.webhookSecretKey = secrets.getProperty("webhook_secret_key");
    }

    static LocalSecrets loadOrCreate(Path home) throws Exception {
        Path keys = home.resolve("keys");
        Files.createDirectories(keys);
        restrict(keys, "rwx------");
        Path privatePem = keys.resolve("private.pem");
        Path publicPem = keys.resolve("public.pem");
        if (!Files.exists(privatePem)) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.writeString(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            restrict(privatePem, "rw-------");
            Files.writeString(publicPem, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } else if (!Files.exists(publicPem)) {
            Files.writeString(publicPem, pem("PUBLIC KEY", publicOf(privatePem).getEncoded()));
        }
        Path secretsFile = home.resolve("secrets.properties");
        Properties secrets = new Properties();
        if (Files.exists(secretsFile)) {
            try (Reader in = Files.newBufferedReader(secretsFile)) {
                secrets.load(in);
            }
        }
        boolean changed = false;
        for (String name : new String[]{"app_secret", "admin_token", "verify_token"}) {
            if (secrets.getProperty(name, "").isBlank()) {
                secrets.setProperty(name, random());
                changed = true;
            }
        }
        if (secrets.getProperty("webhook_secret_key", "").isBlank()) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            secrets.setProperty("webhook_secret_key", Base64.getEncoder().encodeToString(key));
            changed = true;
        }
        if (changed) {
            try (Writer out = Files.newBufferedWriter(secretsFile)) {
                secrets.store(out, "Flowgate embedded run secrets; delete this file to get new ones");
            }
            restrict(secretsFile, "rw-------");
        }
        return new LocalSecrets(privatePem, publicPem, Files.readString(publicPem), secrets);
    }

    private static PublicKey publicOf(Path privatePem) throws Exception {
        String body = Files.readString(privatePem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        RSAPrivateCrtKey crt = (RSAPrivateCrtKey) key;
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String random() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void restrict(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing more we can do
        }
    }
}
