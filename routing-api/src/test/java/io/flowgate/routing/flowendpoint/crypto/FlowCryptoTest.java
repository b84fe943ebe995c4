package io.flowgate.routing.flowendpoint.crypto;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.testkit.FlowClientCrypto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * FlowCrypto against a client written from the protocol text ({@link FlowClientCrypto}, JDK only), with
 * every provider this machine can use, and against pywa's published test vector.
 */
class FlowCryptoTest {

    private static final byte[] INIT = """
            {"version":"3.0","action":"INIT","screen":"","data":{},"flow_token":"tok-9f2c"}"""
            .getBytes(StandardCharsets.UTF_8);

    private static KeyPair current;
    private static KeyPair previous;
    private static KeyPair stranger;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        current = generator.generateKeyPair();
        previous = generator.generateKeyPair();
        stranger = generator.generateKeyPair();
    }

    /** The JDK always; ACCP too where it loads (CryptoProvidersTest checks that it does here). */
    static List<Provider> providers() {
        List<Provider> providers = new ArrayList<>();
        providers.add(CryptoProviders.jdk());
        CryptoProviders.corretto().ifPresent(providers::add);
        return providers;
    }

    private static FlowCrypto crypto(Provider provider, boolean withPrevious) {
        return new FlowCrypto(KeyRing.of(current.getPrivate(), withPrevious ? previous.getPrivate() : null), provider, provider);
    }

    private static DecryptedRequest decrypt(FlowCrypto crypto, FlowClientCrypto.Envelope envelope) throws UndecryptableRequestException {
        return crypto.decrypt(envelope.encryptedAesKey(), envelope.encryptedFlowData(), envelope.initialVector());
    }

    // --- the protocol -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void requestForTheCurrentKeyDecryptsToItsPayloadKeyAndIv(Provider provider) throws Exception {
        FlowClientCrypto client = new FlowClientCrypto();

        DecryptedRequest request = decrypt(crypto(provider, true), client.seal(current.getPublic(), INIT));

        assertArrayEquals(INIT, request.plaintext());
        assertArrayEquals(client.aesKey, request.aesKey());
        assertArrayEquals(client.iv, request.iv());
        assertEquals("current", request.keyName());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void responseOpensWithTheRequestKeyAndTheFlippedIv(Provider provider) throws Exception {
        FlowCrypto crypto = crypto(provider, false);
        FlowClientCrypto client = new FlowClientCrypto();
        DecryptedRequest request = decrypt(crypto, client.seal(current.getPublic(), INIT));
        byte[] response = "{\"screen\":\"WELCOME\",\"data\":{\"name\":\"Zoë\"}}".getBytes(StandardCharsets.UTF_8);

        String body = crypto.encryptResponse(response, request);

        assertArrayEquals(response, client.openResponse(body));
        assertThrows(AEADBadTagException.class, () -> client.openResponseWithTheRequestIv(body));
    }

    @Test
    void responseIsPaddedStandardBase64OfCiphertextAndTag() throws Exception {
        FlowCrypto crypto = new FlowCrypto(KeyRing.of(current.getPrivate(), null));
        DecryptedRequest request = decrypt(crypto, new FlowClientCrypto().seal(current.getPublic(), INIT));
        // 1 byte of plaintext + 16 of tag = 17 bytes: base64 needs padding; 0xFB.. bytes would show '-' '_' if URL-safe
        for (int size = 0; size < 64; size++) {
            String body = crypto.encryptResponse(new byte[size], request);
            assertThat(body).matches("[A-Za-z0-9+/]*={0,2}");
            assertEquals(0, body.length() % 4);
            assertEquals(size + 16, Base64.getDecoder().decode(body).length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void requestForThePreviousKeyDecryptsDuringRotation(Provider provider) throws Exception {
        DecryptedRequest request = decrypt(crypto(provider, true), new FlowClientCrypto().seal(previous.getPublic(), INIT));

        assertArrayEquals(INIT, request.plaintext());
        assertEquals("previous", request.keyName());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void requestForThePreviousKeyIsRefusedOnceTheRotationIsOver(Provider provider) {
        FlowClientCrypto.Envelope envelope = new FlowClientCrypto().seal(previous.getPublic(), INIT);

        assertReason("rsa", () -> decrypt(crypto(provider, false), envelope));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void requestForAKeyInNeitherSlotIsRefusedAsRsa(Provider provider) {
        FlowClientCrypto.Envelope envelope = new FlowClientCrypto().seal(stranger.getPublic(), INIT);

        assertReason("rsa", () -> decrypt(crypto(provider, true), envelope));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void payloadsOfEverySizeRoundTrip(Provider provider) throws Exception {
        FlowCrypto crypto = crypto(provider, false);
        for (int size : new int[]{0, 1, 15, 16, 17, 1000, 100_000}) {
            byte[] payload = FlowClientCrypto.random(size);
            FlowClientCrypto client = new FlowClientCrypto();

            DecryptedRequest request = decrypt(crypto, client.seal(current.getPublic(), payload));

            assertArrayEquals(payload, request.plaintext(), "size " + size);
            assertArrayEquals(payload, client.openResponse(crypto.encryptResponse(payload, request)), "size " + size);
        }
    }

    // --- what cannot be decrypted -------------------------------------------------------------------

    /** A way to spoil a valid request, and the reason it must be refused with. */
    record Tampering(String name, String reason, UnaryOperator<FlowClientCrypto.Envelope> spoil) {
        @Override
        public String toString() {
            return name + " -> " + reason;
        }
    }

    static List<Tampering> tamperings() {
        return List.of(
                new Tampering("bit flipped in the GCM tag", "gcm", e -> withFlowData(e, flipBit(bytes(e.encryptedFlowData()), -1))),
                new Tampering("bit flipped in the ciphertext", "gcm", e -> withFlowData(e, flipBit(bytes(e.encryptedFlowData()), 0))),
                new Tampering("ciphertext one byte short", "gcm", e -> withFlowData(e, cut(bytes(e.encryptedFlowData()), 1))),
                new Tampering("ciphertext shorter than the tag", "too_short", e -> withFlowData(e, Arrays.copyOf(bytes(e.encryptedFlowData()), 15))),
                new Tampering("empty ciphertext", "bad_base64", e -> new FlowClientCrypto.Envelope(e.encryptedAesKey(), "", e.initialVector())),
                new Tampering("bit flipped in the RSA block", "rsa", e -> withAesKey(e, flipBit(bytes(e.encryptedAesKey()), 100))),
                new Tampering("RSA block one byte short", "rsa", e -> withAesKey(e, cut(bytes(e.encryptedAesKey()), 1))),
                new Tampering("RSA block one byte long", "rsa", e -> withAesKey(e, Arrays.copyOf(bytes(e.encryptedAesKey()), 257))),
                new Tampering("RSA block all ones (above the modulus)", "rsa", e -> withAesKey(e, filled(256, 0xFF))),
                new Tampering("RSA-OAEP with MGF1-SHA-1 (the JDK's default)", "rsa",
                        e -> withAesKey(e, rsaOaepMgf1Sha1(FlowClientCrypto.random(16)))),
                new Tampering("32-byte AES key inside a valid RSA block", "bad_key_length",
                        e -> withAesKey(e, FlowClientCrypto.rsaOaepSha256(current.getPublic(), FlowClientCrypto.random(32)))),
                new Tampering("empty AES key inside a valid RSA block", "bad_key_length",
                        e -> withAesKey(e, FlowClientCrypto.rsaOaepSha256(current.getPublic(), new byte[0]))),
                new Tampering("another valid 16-byte AES key", "gcm",
                        e -> withAesKey(e, FlowClientCrypto.rsaOaepSha256(current.getPublic(), FlowClientCrypto.random(16)))),
                new Tampering("12-byte IV", "bad_iv", e -> withIv(e, Arrays.copyOf(bytes(e.initialVector()), 12))),
                new Tampering("32-byte IV", "bad_iv", e -> withIv(e, Arrays.copyOf(bytes(e.initialVector()), 32))),
                new Tampering("another 16-byte IV", "gcm", e -> withIv(e, FlowClientCrypto.random(16))),
                new Tampering("bad base64 in the AES key", "bad_base64", e -> new FlowClientCrypto.Envelope("@@" + e.encryptedAesKey(), e.encryptedFlowData(), e.initialVector())),
                new Tampering("bad base64 in the flow data", "bad_base64", e -> new FlowClientCrypto.Envelope(e.encryptedAesKey(), e.encryptedFlowData() + "*", e.initialVector())),
                new Tampering("bad base64 in the IV", "bad_base64", e -> new FlowClientCrypto.Envelope(e.encryptedAesKey(), e.encryptedFlowData(), "not base64!")),
                new Tampering("URL-safe base64 (Meta sends the standard alphabet)", "bad_base64",
                        e -> withIv(e, new byte[]{(byte) 0xFB, (byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, Base64.getUrlEncoder())),
                new Tampering("empty AES key field", "bad_base64", e -> new FlowClientCrypto.Envelope("", e.encryptedFlowData(), e.initialVector())),
                new Tampering("empty IV field", "bad_base64", e -> new FlowClientCrypto.Envelope(e.encryptedAesKey(), e.encryptedFlowData(), "")),
                new Tampering("null AES key field", "bad_base64", e -> new FlowClientCrypto.Envelope(null, e.encryptedFlowData(), e.initialVector())),
                new Tampering("null flow data field", "bad_base64", e -> new FlowClientCrypto.Envelope(e.encryptedAesKey(), null, e.initialVector())),
                new Tampering("null IV field", "bad_base64", e -> new FlowClientCrypto.Envelope(e.encryptedAesKey(), e.encryptedFlowData(), null)));
    }

    static Stream<Arguments> tamperingsWithEveryProvider() {
        return providers().stream().flatMap(p -> tamperings().stream().map(t -> Arguments.of(t, p)));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("tamperingsWithEveryProvider")
    void everyKindOfTamperingIsRefusedWithItsReason(Tampering tampering, Provider provider) {
        FlowClientCrypto.Envelope spoiled = tampering.spoil().apply(new FlowClientCrypto().seal(current.getPublic(), INIT));

        assertReason(tampering.reason(), () -> decrypt(crypto(provider, true), spoiled));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void randomGarbageIsAlwaysAnUndecryptableRequestNeverARuntimeException(Provider provider) {
        FlowCrypto crypto = crypto(provider, true);
        Random random = new Random(20261121L);
        FlowClientCrypto.Envelope valid = new FlowClientCrypto().seal(current.getPublic(), INIT);
        for (int i = 0; i < 300; i++) {
            String[] fields = {valid.encryptedAesKey(), valid.encryptedFlowData(), valid.initialVector()};
            // spoil one or more fields with random bytes of a plausible length, or random text
            for (int f = 0; f < 3; f++) {
                if (random.nextInt(3) == 0) {
                    fields[f] = random.nextInt(4) == 0 ? randomText(random) : FlowClientCrypto.b64(randomBytes(random, new int[]{0, 12, 15, 16, 17, 255, 256, 257, 600}[random.nextInt(9)]));
                }
            }
            if (Arrays.equals(fields, new String[]{valid.encryptedAesKey(), valid.encryptedFlowData(), valid.initialVector()})) {
                continue;
            }
            assertThrows(UndecryptableRequestException.class, () -> crypto.decrypt(fields[0], fields[1], fields[2]), () -> Arrays.toString(fields));
        }
    }

    // --- secrets stay secret ------------------------------------------------------------------------

    @Test
    void decryptedRequestToStringShowsNeitherKeyNorIvNorPlaintext() throws Exception {
        FlowClientCrypto client = new FlowClientCrypto();
        DecryptedRequest request = decrypt(crypto(CryptoProviders.jdk(), false), client.seal(current.getPublic(), INIT));

        String shown = request.toString();

        assertThat(shown).contains("current", INIT.length + " bytes");
        for (byte[] secret : List.of(client.aesKey, client.iv)) {
            assertThat(shown).doesNotContain(HexFormat.of().formatHex(secret), Base64.getEncoder().encodeToString(secret),
                    Arrays.toString(secret).substring(1, 12));
        }
        assertThat(shown).doesNotContain("tok-9f2c", "INIT");
    }

    @Test
    void theRefusalSaysOnlyItsReason() {
        FlowClientCrypto.Envelope envelope = new FlowClientCrypto().seal(stranger.getPublic(), INIT);

        UndecryptableRequestException e = assertThrows(UndecryptableRequestException.class, () -> decrypt(crypto(CryptoProviders.jdk(), false), envelope));

        assertEquals("undecryptable Flow request: rsa", e.getMessage());
        assertThat(e.getCause()).isNull();
        assertThat(e.getStackTrace()).isEmpty();
    }

    @Test
    void aDamagedKeyIsRefusedWhenTheEndpointStartsNotOnEveryRequest() throws Exception {
        RSAPrivateCrtKey good = (RSAPrivateCrtKey) current.getPrivate();
        PrivateKey damaged = KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(
                good.getModulus(), good.getPublicExponent(), good.getPrivateExponent(), good.getPrimeP(), good.getPrimeQ(),
                good.getPrimeExponentP().add(BigInteger.TWO), good.getPrimeExponentQ(), good.getCrtCoefficient()));
        KeyRing ring = KeyRing.of(damaged, null);

        for (Provider provider : providers()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FlowCrypto(ring, provider, provider));
            assertThat(e.getMessage()).contains("current private key fails its self-test");
        }
    }

    // --- a published test vector --------------------------------------------------------------------

    /**
     * pywa's flows encryption test (tests/test_server.py, {@code test_default_flow_request_decryptor_encryptor}):
     * a request encrypted by a real WhatsApp client, and the exact response body pywa produces.
     */
    @Test
    void pywaTestVectorDecryptsAndItsResponseIsByteForByteTheSame() throws Exception {
        RSAPrivateCrtKey key = PrivateKeyLoader.load(resource("keys/pywa-test-vector.pem"), "pywa".toCharArray());
        FlowCrypto crypto = new FlowCrypto(KeyRing.of(key, null));

        DecryptedRequest request = crypto.decrypt(
                "gSTeWDqfKqo1eL73VstmrMm5k5lymwUwXCfuxauPFPoW7Ji9dgcG74Y6YRtoYOAch6Z/AgrR7EAlsRi/s8xT/Gx2WWz6zfcXPUQVpoIlp7EgC+HmmA2ZK64g/107yL+vKoUdL0mWJHQf1ml12HszBxOtNlW+7GAMPESNDqGpgy1R3Zgz/luStp2INtigps9w2j9+Ktp0smqxHqpUkBWp8xxoWVvzPK4H0jcFm7sjFMpiJ1e1EjApo7iDqldys0tMRC+KoOjJVD6aq1gY5s2yYL7iCXXgEAKJItTk/4/mbWWNkRtd9NoEGnMHilcjYOzlUCHehAO9fos+WCLE87JAXw==",
                "sCTmBCqjs0GkkX6n/nyZDuyjpaijuelY3I/8rlr1ZIEymEzCMnDGQdxQ9OGaKw0CEaWSgc/GLhuixa8NTQNYXAyVfTaU9H2FWEabWUb8nbZYRdYy81XHUkDCodl4SvBhhufEag==",
                "5eCmDjs+VAJwdo5caZtgbw==");

        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"data\":{},\"flow_token\":\"my_flow_token\",\"screen\":\"\",\"action\":\"INIT\",\"version\":\"3.0\"}"),
                json.readTree(request.plaintext()));
        // Python's json.dumps() output for pywa's response dict, separators and all
        byte[] response = "{\"version\": \"3.0\", \"screen\": \"SUCCESS\", \"data\": {\"key\": \"value\"}}".getBytes(StandardCharsets.UTF_8);
        assertEquals("FBEoV73B8mnSt+nzfurVK704zkwHsr1uu/m953h5vNdri5G4Pe/BoDTh6SgzgjrrZ4iP12GO3kti8YW7Tn1KibKaRf8LE/gps2ATJq3nWSCI",
                crypto.encryptResponse(response, request));
    }

    // --- helpers --------------------------------------------------------------------------------------

    interface Decryption {
        DecryptedRequest run() throws UndecryptableRequestException;
    }

    private static void assertReason(String reason, Decryption decryption) {
        UndecryptableRequestException e = assertThrows(UndecryptableRequestException.class, decryption::run);
        assertEquals(reason, e.reason());
    }

    private static byte[] bytes(String base64) {
        return Base64.getDecoder().decode(base64);
    }

    private static byte[] flipBit(byte[] bytes, int index) {
        bytes[index < 0 ? bytes.length + index : index] ^= 0x10;
        return bytes;
    }

    private static byte[] cut(byte[] bytes, int n) {
        return Arrays.copyOf(bytes, bytes.length - n);
    }

    private static byte[] filled(int n, int value) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static FlowClientCrypto.Envelope withAesKey(FlowClientCrypto.Envelope e, byte[] wrapped) {
        return new FlowClientCrypto.Envelope(FlowClientCrypto.b64(wrapped), e.encryptedFlowData(), e.initialVector());
    }

    private static FlowClientCrypto.Envelope withFlowData(FlowClientCrypto.Envelope e, byte[] sealed) {
        return new FlowClientCrypto.Envelope(e.encryptedAesKey(), FlowClientCrypto.b64(sealed), e.initialVector());
    }

    private static FlowClientCrypto.Envelope withIv(FlowClientCrypto.Envelope e, byte[] iv) {
        return withIv(e, iv, Base64.getEncoder());
    }

    private static FlowClientCrypto.Envelope withIv(FlowClientCrypto.Envelope e, byte[] iv, Base64.Encoder encoder) {
        return new FlowClientCrypto.Envelope(e.encryptedAesKey(), e.encryptedFlowData(), encoder.encodeToString(iv));
    }

    private static byte[] rsaOaepMgf1Sha1(byte[] secret) {
        try {
            // the trap of whatsapp-protocol.md §1.2: this name without parameters means MGF1-SHA-1 in SunJCE
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", "SunJCE");
            rsa.init(Cipher.ENCRYPT_MODE, current.getPublic());
            return rsa.doFinal(secret);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String randomText(Random random) {
        char[] chars = new char[random.nextInt(40)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) (0x20 + random.nextInt(0x60));
        }
        return new String(chars);
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(FlowCryptoTest.class.getClassLoader().getResource(name).toURI());
    }
}
