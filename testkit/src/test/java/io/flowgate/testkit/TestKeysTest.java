package io.flowgate.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each PEM format as OpenSSL, the tool users make their keys with, reads it. */
class TestKeysTest {

    private static final KeyPair KEYS = TestKeys.generate();

    @TempDir
    Path dir;

    @Test
    void pkcs8Pkcs1AndEncryptedPkcs8HoldTheSameKey() throws Exception {
        String modulus = "Modulus=" + ((RSAPublicKey) KEYS.getPublic()).getModulus().toString(16).toUpperCase();

        assertThat(TestKeys.pkcs8Pem(KEYS)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(openssl("rsa", "-in", file("p8.pem", TestKeys.pkcs8Pem(KEYS)), "-modulus", "-noout")).isEqualTo(modulus);
        assertThat(TestKeys.pkcs1Pem(KEYS)).startsWith("-----BEGIN RSA PRIVATE KEY-----\n");
        assertThat(openssl("rsa", "-in", file("p1.pem", TestKeys.pkcs1Pem(KEYS)), "-modulus", "-noout")).isEqualTo(modulus);
        // RSAPrivateKey itself (version, then the modulus), not a PKCS#8 wrapper that OpenSSL would also accept
        assertThat(openssl("asn1parse", "-in", file("p1.pem", TestKeys.pkcs1Pem(KEYS)))).contains(":" + modulus.substring("Modulus=".length()));
        assertThat(TestKeys.encryptedPkcs8Pem(KEYS, "s3cret")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
        assertThat(openssl("rsa", "-in", file("enc.pem", TestKeys.encryptedPkcs8Pem(KEYS, "s3cret")), "-passin", "pass:s3cret",
                "-modulus", "-noout")).isEqualTo(modulus);
        assertThat(openssl("rsa", "-pubin", "-in", file("pub.pem", TestKeys.publicKeyPem(KEYS)), "-modulus", "-noout")).isEqualTo(modulus);
    }

    @Test
    void writePkcs8CreatesTheDirectory() throws Exception {
        Path written = TestKeys.writePkcs8(KEYS, dir.resolve("keys"), "private.pem");

        assertThat(written).hasContent(TestKeys.pkcs8Pem(KEYS).strip());
    }

    private String file(String name, String pem) {
        return TestKeys.write(dir, name, pem).toString();
    }

    private static String openssl(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
