package io.flowgate.routing.flowendpoint.crypto;

import io.flowgate.testkit.FlowClientCrypto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every PEM format users have, written by the openssl CLI the way their tools write it, loads and
 * decrypts a real request; every mistake is refused with one line that names the file and the
 * problem and never the passphrase.
 */
class PrivateKeyLoaderTest {

    private static final String PASSPHRASE = "Corr3ct-Horse-Battery";
    private static final String WRONG_PASSPHRASE = "Wr0ng-Donkey-Stapler";
    private static final byte[] PAYLOAD = "{\"version\":\"3.0\",\"action\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    private static final AtomicInteger files = new AtomicInteger();

    /** The key every format is derived from, read by the JDK alone (plain PKCS#8) as the oracle. */
    private static RSAPrivateCrtKey expected;
    private static PublicKey expectedPublic;

    @BeforeAll
    static void generateTheKey() throws Exception {
        OpenSsl.run(dir, "genrsa", "-out", "base.pem", "2048");
        expected = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(pemBody(Files.readString(dir.resolve("base.pem")), "PRIVATE KEY")));
        OpenSsl.run(dir, "rsa", "-in", "base.pem", "-pubout", "-out", "base.pub.pem");
        expectedPublic = readPublicKey(dir.resolve("base.pub.pem"));
    }

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of("PKCS#8 plain", null, new String[]{"pkcs8", "-topk8", "-nocrypt"}),
                Arguments.of("PKCS#8 PBES2 AES-256-CBC", PASSPHRASE, new String[]{"pkcs8", "-topk8", "-v2", "aes256", "-passout", OpenSsl.PASS}),
                Arguments.of("PKCS#8 PBES2 3DES", PASSPHRASE, new String[]{"pkcs8", "-topk8", "-v2", "des3", "-passout", OpenSsl.PASS}),
                Arguments.of("PKCS#8 PBES2 AES-256-CBC with hmacWithSHA1 (OpenSSL 1.1)", PASSPHRASE,
                        new String[]{"pkcs8", "-topk8", "-v2", "aes256", "-v2prf", "hmacWithSHA1", "-passout", OpenSsl.PASS}),
                Arguments.of("PKCS#8 PBES1 SHA1-3DES (OpenSSL 1.0)", PASSPHRASE,
                        new String[]{"pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-passout", OpenSsl.PASS}),
                Arguments.of("PKCS#8 scrypt", PASSPHRASE, new String[]{"pkcs8", "-topk8", "-scrypt", "-passout", OpenSsl.PASS}),
                Arguments.of("PKCS#1 plain", null, new String[]{"rsa", "-traditional"}),
                Arguments.of("PKCS#1 DES-EDE3-CBC (Meta's Node key generator)", PASSPHRASE,
                        new String[]{"rsa", "-traditional", "-des3", "-passout", OpenSsl.PASS}),
                Arguments.of("PKCS#1 AES-128-CBC", PASSPHRASE, new String[]{"rsa", "-traditional", "-aes128", "-passout", OpenSsl.PASS}),
                Arguments.of("PKCS#1 AES-256-CBC", PASSPHRASE, new String[]{"rsa", "-traditional", "-aes256", "-passout", OpenSsl.PASS}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void everyFormatLoadsTheSameKeyAndDecryptsARealRequest(String format, String passphrase, String[] opensslArgs) throws Exception {
        Path file = convert(passphrase, opensslArgs);

        RSAPrivateCrtKey key = PrivateKeyLoader.load(file, passphrase == null ? null : passphrase.toCharArray());

        assertEquals(expected.getModulus(), key.getModulus());
        assertEquals(expected.getPrivateExponent(), key.getPrivateExponent());
        assertDecryptsARequestFor(expectedPublic, key);
    }

    @Test
    void whatOpenSsl3GenrsaDes3WritesLoads() throws Exception {
        // the command in Meta's encryption guide; OpenSSL 3 writes PKCS#8 with PBES2 and 3DES
        Path file = newFile();
        OpenSsl.runWithPassphrase(dir, PASSPHRASE, "genrsa", "-des3", "-passout", OpenSsl.PASS, "-out", file.toString(), "2048");
        assertThat(Files.readString(file)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(OpenSsl.run(dir, "asn1parse", "-in", file.toString())).contains("PBES2", "des-ede3-cbc");
        Path publicFile = newFile();
        OpenSsl.runWithPassphrase(dir, PASSPHRASE, "rsa", "-in", file.toString(), "-passin", OpenSsl.PASS, "-pubout", "-out", publicFile.toString());

        RSAPrivateCrtKey key = PrivateKeyLoader.load(file, PASSPHRASE.toCharArray());

        assertDecryptsARequestFor(readPublicKey(publicFile), key);
    }

    @Test
    void crlfLineEndingsIndentationBlankLinesAndAByteOrderMarkAreTolerated() throws Exception {
        String pem = Files.readString(convert(PASSPHRASE, "rsa", "-traditional", "-des3", "-passout", OpenSsl.PASS));
        StringBuilder messy = new StringBuilder("\uFEFF\r\n  \r\n");
        for (String line : pem.split("\n")) {
            messy.append("    ").append(line).append(" \t\r\n");
        }
        messy.append("\r\n   \r\n");
        Path file = write(messy.toString());

        RSAPrivateCrtKey key = PrivateKeyLoader.load(file, PASSPHRASE.toCharArray());

        assertEquals(expected.getPrivateExponent(), key.getPrivateExponent());
    }

    @Test
    void textBeforeTheBeginLineIsSkipped() throws Exception {
        // what `openssl pkcs12 -nodes` prints above the key
        String pem = Files.readString(dir.resolve("base.pem"));
        Path file = write("Bag Attributes\n    localKeyID: 01 00 00 00\n    friendlyName: flowgate\nKey Attributes: <No Attributes>\n" + pem);

        assertEquals(expected.getPrivateExponent(), PrivateKeyLoader.load(file, null).getPrivateExponent());
    }

    @Test
    void aCertificateBesideTheKeyIsIgnored() throws Exception {
        Path cert = newFile();
        OpenSsl.run(dir, "req", "-x509", "-new", "-key", "base.pem", "-subj", "/CN=flowgate-test", "-days", "1", "-out", cert.toString());
        Path file = write(Files.readString(cert) + Files.readString(dir.resolve("base.pem")));

        assertEquals(expected.getPrivateExponent(), PrivateKeyLoader.load(file, null).getPrivateExponent());
    }

    @Test
    void aPassphraseGivenForAnUnencryptedKeyIsIgnored() throws Exception {
        assertEquals(expected.getPrivateExponent(), PrivateKeyLoader.load(dir.resolve("base.pem"), PASSPHRASE.toCharArray()).getPrivateExponent());
    }

    // --- refusals -------------------------------------------------------------------------------

    @Test
    void aMissingFileIsReportedAsNotFound() {
        Path file = dir.resolve("no-such-key.pem");
        assertThat(refusal(file, null)).contains("file not found");
    }

    @Test
    void aDirectoryIsRefused() throws IOException {
        Path directory = Files.createDirectory(dir.resolve("a-directory-" + files.incrementAndGet()));
        assertThat(refusal(directory, null)).contains("is a directory");
    }

    @Test
    void anEmptyFileIsNotPem() throws IOException {
        assertThat(refusal(write(""), null)).contains("not a PEM file");
    }

    @Test
    void aDerFileIsNotPem() {
        Path file = newFile();
        OpenSsl.run(dir, "rsa", "-in", "base.pem", "-outform", "DER", "-out", file.toString());
        assertThat(refusal(file, null)).contains("not a PEM file");
    }

    @Test
    void aCertificateIsRecognisedForWhatItIs() {
        Path file = newFile();
        OpenSsl.run(dir, "req", "-x509", "-new", "-key", "base.pem", "-subj", "/CN=flowgate-test", "-days", "1", "-out", file.toString());
        assertThat(refusal(file, null)).contains("holds a certificate, not a private key");
    }

    @Test
    void aCertificateSigningRequestIsRecognisedForWhatItIs() {
        Path file = newFile();
        OpenSsl.run(dir, "req", "-new", "-key", "base.pem", "-subj", "/CN=flowgate-test", "-out", file.toString());
        assertThat(refusal(file, null)).contains("holds a certificate signing request, not a private key");
    }

    @Test
    void thePublicKeyIsRecognisedAsTheWrongHalfOfThePair() {
        assertThat(refusal(dir.resolve("base.pub.pem"), null)).contains("holds a public key", "not a private key");
        Path pkcs1Public = newFile();
        OpenSsl.run(dir, "rsa", "-in", "base.pem", "-RSAPublicKey_out", "-out", pkcs1Public.toString());
        assertThat(refusal(pkcs1Public, null)).contains("holds a public key");
    }

    @Test
    void anEncryptedPkcs8KeyWithoutPassphraseNamesTheSetting() {
        Path file = convert(PASSPHRASE, "pkcs8", "-topk8", "-v2", "aes256", "-passout", OpenSsl.PASS);
        assertThat(refusal(file, null)).contains("encrypted", "no passphrase", "FLOWGATE_PRIVATE_KEY_PASSPHRASE");
        assertThat(refusal(file, new char[0])).contains("no passphrase", "FLOWGATE_PRIVATE_KEY_PASSPHRASE");
    }

    @Test
    void anEncryptedPkcs1KeyWithoutPassphraseNamesTheSetting() {
        Path file = convert(PASSPHRASE, "rsa", "-traditional", "-des3", "-passout", OpenSsl.PASS);
        assertThat(refusal(file, null)).contains("encrypted", "no passphrase", "FLOWGATE_PRIVATE_KEY_PASSPHRASE");
    }

    @Test
    void aWrongPassphraseForPkcs8IsSaidSoWithoutRepeatingEitherPassphrase() {
        Path file = convert(PASSPHRASE, "pkcs8", "-topk8", "-v2", "des3", "-passout", OpenSsl.PASS);
        assertThat(refusal(file, WRONG_PASSPHRASE.toCharArray())).contains("wrong passphrase");
    }

    @Test
    void aWrongPassphraseForPkcs1IsSaidSoAndNamesTheCipher() {
        Path file = convert(PASSPHRASE, "rsa", "-traditional", "-des3", "-passout", OpenSsl.PASS);
        assertThat(refusal(file, WRONG_PASSPHRASE.toCharArray())).contains("wrong passphrase", "DES-EDE3-CBC");
    }

    @Test
    void anEcKeyIsRefusedAsNotRsaInEveryWrapping() {
        Path pkcs8 = newFile();
        OpenSsl.run(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", pkcs8.toString());
        assertThat(refusal(pkcs8, null)).contains("holds an EC key", "needs an RSA key");

        // `openssl ecparam -genkey` writes an EC PARAMETERS block before the key
        Path traditional = newFile();
        OpenSsl.run(dir, "ecparam", "-genkey", "-name", "prime256v1", "-out", traditional.toString());
        assertThat(refusal(traditional, null)).contains("holds an EC key");

        Path encrypted = newFile();
        OpenSsl.runWithPassphrase(dir, PASSPHRASE, "pkcs8", "-topk8", "-v2", "aes256", "-in", pkcs8.toString(), "-passout", OpenSsl.PASS, "-out", encrypted.toString());
        assertThat(refusal(encrypted, PASSPHRASE.toCharArray())).contains("holds an EC key");
    }

    @Test
    void anEd25519KeyIsRefusedAsNotRsa() {
        Path file = newFile();
        OpenSsl.run(dir, "genpkey", "-algorithm", "ed25519", "-out", file.toString());
        assertThat(refusal(file, null)).contains("holds an Ed25519 key", "needs an RSA key");
    }

    @Test
    void anRsaKeyShorterThan2048BitsIsRefused() {
        Path file = newFile();
        OpenSsl.run(dir, "genrsa", "-out", file.toString(), "1024");
        assertThat(refusal(file, null)).contains("1024 bits", "at least 2048");
    }

    @Test
    void twoPrivateKeysInOneFileAreRefusedAsAmbiguous() throws IOException {
        String pem = Files.readString(dir.resolve("base.pem"));
        assertThat(refusal(write(pem + pem), null)).contains("holds 2 private keys");
    }

    @Test
    void anOpenSshKeyIsRecognisedAndAConversionSuggested() throws IOException {
        Path file = write("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        assertThat(refusal(file, null)).contains("OpenSSH", "ssh-keygen -p -m PKCS8");
    }

    @Test
    void anUnknownPemBlockIsNamed() throws IOException {
        Path file = write("-----BEGIN FLOWGATE THING-----\nAAAA\n-----END FLOWGATE THING-----\n");
        assertThat(refusal(file, null)).contains("a PEM block of type 'FLOWGATE THING'", "not a private key");
    }

    @Test
    void damagedOrTruncatedPemIsRefused() throws IOException {
        String pem = Files.readString(dir.resolve("base.pem"));
        assertThat(refusal(write(pem.replaceFirst("\n[A-Za-z0-9+/]{10}", "\n!!!!!!!!!!")), null)).contains("not valid PEM");
        assertThat(refusal(write(pem.substring(0, pem.length() / 2)), null)).contains("not valid PEM");
        assertThat(refusal(write("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), null)).contains("damaged");
    }

    @Test
    void aFileFarTooLargeForAKeyIsRefusedUnread() throws IOException {
        Path file = newFile();
        Files.write(file, new byte[(int) PrivateKeyLoader.MAX_FILE_BYTES + 1]);
        assertThat(refusal(file, null)).contains("too large");
    }

    // --- helpers --------------------------------------------------------------------------------

    /** The refusal's message, after checking it is one line naming the file and no passphrase. */
    private static String refusal(Path file, char[] passphrase) {
        KeyLoadException e = assertThrows(KeyLoadException.class, () -> PrivateKeyLoader.load(file, passphrase));
        String message = e.getMessage();
        assertThat(message).startsWith(file.toAbsolutePath().normalize().toString() + ": ");
        assertThat(message).doesNotContain("\n", "\r", PASSPHRASE, WRONG_PASSPHRASE);
        assertThat(e.getCause()).isNull();
        assertEquals(file.toAbsolutePath().normalize(), e.file());
        return message;
    }

    private static void assertDecryptsARequestFor(PublicKey publicKey, RSAPrivateCrtKey key) throws Exception {
        FlowClientCrypto client = new FlowClientCrypto();
        FlowClientCrypto.Envelope envelope = client.seal(publicKey, PAYLOAD);
        DecryptedRequest request = new FlowCrypto(KeyRing.of(key, null))
                .decrypt(envelope.encryptedAesKey(), envelope.encryptedFlowData(), envelope.initialVector());
        assertArrayEquals(PAYLOAD, request.plaintext());
    }

    /** base.pem run through {@code openssl args -in base.pem -out <new file>}. */
    private static Path convert(String passphrase, String... args) {
        Path file = newFile();
        String[] full = Stream.concat(Stream.of(args), Stream.of("-in", "base.pem", "-out", file.toString())).toArray(String[]::new);
        OpenSsl.runWithPassphrase(dir, passphrase, full);
        return file;
    }

    private static Path newFile() {
        return dir.resolve("key-" + files.incrementAndGet() + ".pem");
    }

    private static Path write(String content) throws IOException {
        return Files.writeString(newFile(), content);
    }

    static byte[] pemBody(String pem, String label) {
        String base64 = pem.substring(pem.indexOf("-----BEGIN " + label + "-----") + ("-----BEGIN " + label + "-----").length(),
                pem.indexOf("-----END " + label + "-----"));
        return Base64.getMimeDecoder().decode(base64);
    }

    static PublicKey readPublicKey(Path spkiPem) throws Exception {
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(pemBody(Files.readString(spkiPem), "PUBLIC KEY")));
    }
}
