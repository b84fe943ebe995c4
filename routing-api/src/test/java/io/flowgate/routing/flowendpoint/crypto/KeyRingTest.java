package io.flowgate.routing.flowendpoint.crypto;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The key ring as operators meet it: loading both keys of a rotation, and the public key to upload. */
class KeyRingTest {

    private static final String PASSPHRASE = "Rotat1on-Passphrase";

    @TempDir
    static Path dir;

    @BeforeAll
    static void generateKeys() {
        OpenSsl.run(dir, "genrsa", "-out", "current.pem", "2048");
        OpenSsl.runWithPassphrase(dir, PASSPHRASE, "genrsa", "-des3", "-passout", OpenSsl.PASS, "-out", "previous.pem", "2048");
    }

    @Test
    void thePublicPemToUploadIsExactlyWhatOpensslPrints() throws Exception {
        KeyRing ring = KeyRing.load(dir.resolve("current.pem"), null, null, null);

        String pem = KeyRing.toPublicPem(ring.currentPublicKey());

        OpenSsl.run(dir, "rsa", "-in", "current.pem", "-pubout", "-out", "current.pub.pem");
        assertEquals(Files.readString(dir.resolve("current.pub.pem")), pem);
    }

    @Test
    void bothKeysOfARotationLoadIntoTheirSlots() throws Exception {
        KeyRing ring = KeyRing.load(dir.resolve("current.pem"), null, dir.resolve("previous.pem"), PASSPHRASE.toCharArray());

        assertEquals(PrivateKeyLoader.load(dir.resolve("current.pem"), null).getModulus(), ring.current().getModulus());
        assertEquals(PrivateKeyLoader.load(dir.resolve("previous.pem"), PASSPHRASE.toCharArray()).getModulus(), ring.previous().getModulus());
        assertEquals(ring.previous().getModulus(), ((RSAPublicKey) ring.previousPublicKey()).getModulus());
    }

    @Test
    void withoutAPreviousKeyTheSlotIsEmpty() throws Exception {
        KeyRing ring = KeyRing.load(dir.resolve("current.pem"), null, null, null);

        assertNull(ring.previous());
        assertNull(ring.previousPublicKey());
        assertThat(ring.describe()).endsWith("previous none");
    }

    @Test
    void aMissingPassphraseForThePreviousKeyNamesItsOwnSetting() {
        KeyLoadException e = assertThrows(KeyLoadException.class,
                () -> KeyRing.load(dir.resolve("current.pem"), null, dir.resolve("previous.pem"), null));

        assertThat(e.getMessage()).contains("previous.pem", "FLOWGATE_PREVIOUS_PRIVATE_KEY_PASSPHRASE");
    }

    @Test
    void aBrokenPreviousKeyFailsTheLoadNamingThatFile() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.pem"), "not a key");

        KeyLoadException e = assertThrows(KeyLoadException.class,
                () -> KeyRing.load(dir.resolve("current.pem"), null, broken, null));

        assertThat(e.getMessage()).startsWith(broken.toString()).contains("not a PEM file");
    }

    @Test
    void describeAndToStringShowFingerprintsButNoPrivateNumbers() throws Exception {
        KeyRing ring = KeyRing.load(dir.resolve("current.pem"), null, dir.resolve("previous.pem"), PASSPHRASE.toCharArray());
        RSAPrivateCrtKey key = ring.current();

        assertThat(ring.describe()).matches("current RSA-2048 SHA256:[0-9a-f]{64}, previous RSA-2048 SHA256:[0-9a-f]{64}");
        assertThat(ring.toString()).contains(ring.describe());
        for (var secret : new java.math.BigInteger[]{key.getPrivateExponent(), key.getPrimeP(), key.getPrimeQ()}) {
            assertThat(ring.toString()).doesNotContain(secret.toString(), secret.toString(16));
        }
    }

    @Test
    void theFingerprintIsTheSha256OfTheDerPublicKey() throws Exception {
        KeyRing ring = KeyRing.load(dir.resolve("current.pem"), null, null, null);
        Path der = dir.resolve("current.pub.der");
        OpenSsl.run(dir, "rsa", "-in", "current.pem", "-pubout", "-outform", "DER", "-out", der.toString());

        String opensslDigest = OpenSsl.run(dir, "dgst", "-sha256", "-r", der.toString()).split(" ")[0];

        assertEquals("SHA256:" + opensslDigest, KeyRing.fingerprint(ring.currentPublicKey()));
    }

    @Test
    void aKeyThatIsNotRsaIsRefused() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyRing.of(ec.generateKeyPair().getPrivate(), null));

        assertThat(e.getMessage()).contains("current key must be an RSA private key", "EC");
    }
}
