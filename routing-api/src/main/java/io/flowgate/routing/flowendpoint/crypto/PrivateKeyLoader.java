package io.flowgate.routing.flowendpoint.crypto;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

import java.io.CharArrayReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the Flow endpoint's RSA private key from a PEM file in every format users actually have:
 * PKCS#8 plain or encrypted (PBES2 with AES or 3DES, PBES1, scrypt), and PKCS#1 {@code BEGIN RSA
 * PRIVATE KEY} plain or with the legacy {@code Proc-Type}/{@code DEK-Info} encryption that Meta's
 * own key generator writes. The JDK reads only a subset of these, so BouncyCastle does the parsing.
 *
 * <p>A key that cannot be used is refused at start-up with a {@link KeyLoadException} whose single
 * line names the file and the problem in terms an operator can act on; the passphrase never
 * appears in it. The file is checked before anything is parsed, so the usual mistakes (a
 * certificate, the public half, an EC key, a short key, a forgotten passphrase) are told apart.
 */
public final class PrivateKeyLoader {

    /** The passphrase setting named in messages about the endpoint's (current) key. */
    static final String PASSPHRASE_VARIABLE = "FLOWGATE_PRIVATE_KEY_PASSPHRASE";
    /** Meta asks for a 2048-bit key pair; anything shorter is refused. */
    static final int MIN_RSA_BITS = 2048;
    /** A PEM private key is a few kilobytes; a bigger file is some other file given by mistake. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final Set<String> PRIVATE_KEY_TYPES =
            Set.of("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY");

    /** What a PEM block that is not a private key is, for the message that says what was found. */
    private static final Map<String, String> OTHER_TYPES = Map.ofEntries(
            Map.entry("CERTIFICATE", "a certificate"),
            Map.entry("X509 CERTIFICATE", "a certificate"),
            Map.entry("TRUSTED CERTIFICATE", "a certificate"),
            Map.entry("PUBLIC KEY", "a public key"),
            Map.entry("RSA PUBLIC KEY", "a public key"),
            Map.entry("CERTIFICATE REQUEST", "a certificate signing request"),
            Map.entry("NEW CERTIFICATE REQUEST", "a certificate signing request"),
            Map.entry("X509 CRL", "a certificate revocation list"),
            Map.entry("EC PARAMETERS", "EC parameters"),
            Map.entry("DH PARAMETERS", "DH parameters"),
            Map.entry("PKCS7", "a PKCS#7 bundle"));

    private static final Map<ASN1ObjectIdentifier, String> KEY_ALGORITHMS = Map.of(
            X9ObjectIdentifiers.id_ecPublicKey, "an EC key",
            X9ObjectIdentifiers.id_dsa, "a DSA key",
            // RFC 8410 (BouncyCastle keeps its constants for these in an internal package)
            new ASN1ObjectIdentifier("1.3.101.110"), "an X25519 key",
            new ASN1ObjectIdentifier("1.3.101.111"), "an X448 key",
            new ASN1ObjectIdentifier("1.3.101.112"), "an Ed25519 key",
            new ASN1ObjectIdentifier("1.3.101.113"), "an Ed448 key",
            PKCSObjectIdentifiers.id_RSASSA_PSS, "an RSASSA-PSS key (restricted to signatures)");

    private PrivateKeyLoader() {
    }

    /**
     * Loads an RSA private key of at least 2048 bits.
     *
     * @param pem              the PEM file
     * @param passphraseOrNull the passphrase if the key is encrypted; null or empty means none. It
     *                         is ignored for an unencrypted key and is not cleared (the caller owns it).
     */
    public static RSAPrivateCrtKey load(Path pem, char[] passphraseOrNull) throws KeyLoadException {
        return load(pem, passphraseOrNull, PASSPHRASE_VARIABLE);
    }

    /** As {@link #load(Path, char[])}, naming {@code passphraseVariable} when a passphrase is missing. */
    static RSAPrivateCrtKey load(Path pem, char[] passphraseOrNull, String passphraseVariable) throws KeyLoadException {
        Path file = pem.toAbsolutePath().normalize();
        char[] text = readNormalizedText(file);
        try {
            List<PemObject> blocks = readBlocks(file, text);
            int keyIndex = indexOfTheOnlyPrivateKey(file, blocks);
            PemObject keyBlock = blocks.get(keyIndex);
            String label = keyBlock.getType();
            if (label.equals("EC PRIVATE KEY") || label.equals("DSA PRIVATE KEY")) {
                // the label says it all; no need to ask for a passphrase first
                throw new KeyLoadException(file, notRsa(label.startsWith("EC") ? "an EC key" : "a DSA key"));
            }
            Object parsed = parseBlock(file, text, keyIndex);
            PrivateKeyInfo info = decrypt(file, parsed, keyBlock, passphraseOrNull, passphraseVariable);
            return toRsaKey(file, info);
        } finally {
            // the text of an unencrypted key is the key: do not leave this copy for a heap dump
            Arrays.fill(text, '\0');
        }
    }

    /**
     * Reads the file as text with every line trimmed, so CRLF endings, indentation (a key pasted
     * into YAML), trailing blanks and a byte-order mark do not matter. Text before the first BEGIN
     * line (such as the "Bag Attributes" lines {@code openssl pkcs12} writes) is kept: the PEM reader
     * skips it.
     */
    private static char[] readNormalizedText(Path file) throws KeyLoadException {
        if (!Files.exists(file)) {
            throw new KeyLoadException(file, "file not found");
        }
        if (Files.isDirectory(file)) {
            throw new KeyLoadException(file, "is a directory, not a PEM file");
        }
        if (!Files.isReadable(file)) {
            throw new KeyLoadException(file, "not readable by this process (check the file's permissions)");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new KeyLoadException(file, size + " bytes is too large for a PEM private key (at most " + MAX_FILE_BYTES + ")");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeyLoadException(file, "could not be read (" + e.getClass().getSimpleName() + ")");
        }
        CharBuffer decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (IOException cannotHappenWithReplace) {
            throw new KeyLoadException(file, "could not be decoded as text");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        try {
            return trimEveryLine(decoded.array(), decoded.limit());
        } finally {
            Arrays.fill(decoded.array(), '\0');
        }
    }

    private static char[] trimEveryLine(char[] in, int length) {
        char[] out = new char[length + 1];
        int n = 0;
        int i = 0;
        while (i < length) {
            int end = i;
            while (end < length && in[end] != '\n' && in[end] != '\r') {
                end++;
            }
            int from = i;
            int to = end;
            while (from < to && isBlank(in[from])) {
                from++;
            }
            while (to > from && isBlank(in[to - 1])) {
                to--;
            }
            System.arraycopy(in, from, out, n, to - from);
            n += to - from;
            out[n++] = '\n';
            // a CRLF pair ends one line, not two
            i = (end < length - 1 && in[end] == '\r' && in[end + 1] == '\n') ? end + 2 : end + 1;
        }
        char[] trimmed = Arrays.copyOf(out, n);
        Arrays.fill(out, '\0');
        return trimmed;
    }

    private static boolean isBlank(char c) {
        return Character.isWhitespace(c) || c == '\uFEFF' || c == '\u00A0';
    }

    /** First pass: the raw blocks, so that what the file holds can be described before parsing it. */
    private static List<PemObject> readBlocks(Path file, char[] text) throws KeyLoadException {
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new CharArrayReader(text))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                blocks.add(block);
            }
        } catch (IOException e) {
            throw new KeyLoadException(file, "is not valid PEM: a block is cut short or its base64 is damaged");
        }
        if (blocks.isEmpty()) {
            throw new KeyLoadException(file, "is not a PEM file (no -----BEGIN line found)");
        }
        return blocks;
    }

    private static int indexOfTheOnlyPrivateKey(Path file, List<PemObject> blocks) throws KeyLoadException {
        int index = -1;
        int count = 0;
        for (int i = 0; i < blocks.size(); i++) {
            if (PRIVATE_KEY_TYPES.contains(blocks.get(i).getType())) {
                index = i;
                count++;
            }
        }
        if (count > 1) {
            throw new KeyLoadException(file, "holds " + count + " private keys; keep only the Flow endpoint's key in it");
        }
        if (count == 0) {
            String type = blocks.get(0).getType();
            if (type.equals("OPENSSH PRIVATE KEY")) {
                throw new KeyLoadException(file, "holds an OpenSSH-format key, not PEM; convert a copy with: ssh-keygen -p -m PKCS8 -f <copy>");
            }
            String found = OTHER_TYPES.getOrDefault(type, "a PEM block of type '" + printable(type) + "'");
            String hint = type.endsWith("PUBLIC KEY") ? " (give the other file of the pair)" : "";
            throw new KeyLoadException(file, "holds " + found + ", not a private key" + hint);
        }
        return index;
    }

    /** Second pass: BouncyCastle's parser, advanced to the private key block found in the first pass. */
    private static Object parseBlock(Path file, char[] text, int keyIndex) throws KeyLoadException {
        try (PEMParser parser = new PEMParser(new CharArrayReader(text))) {
            for (int i = 0; i < keyIndex; i++) {
                skipBlock(parser);
            }
            Object parsed = parser.readObject();
            if (parsed == null) {
                throw new KeyLoadException(file, "the private key block could not be parsed");
            }
            return parsed;
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports a malformed ASN.1 structure with an unchecked exception
            throw new KeyLoadException(file, "the private key block is damaged (its content is not a valid key structure)");
        }
    }

    private static void skipBlock(PEMParser parser) {
        try {
            parser.readObject();
        } catch (IOException | RuntimeException blockWeDoNotNeed) {
            // a certificate or unknown block beside the key is no reason to refuse the key
        }
    }

    private static PrivateKeyInfo decrypt(Path file, Object parsed, PemObject block, char[] passphrase, String passphraseVariable)
            throws KeyLoadException {
        if (parsed instanceof PrivateKeyInfo info) {
            return info;
        }
        if (parsed instanceof PEMKeyPair pair) {
            return pair.getPrivateKeyInfo();
        }
        boolean noPassphrase = passphrase == null || passphrase.length == 0;
        if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
            if (noPassphrase) {
                throw new KeyLoadException(file, "the key is encrypted and no passphrase was given (set " + passphraseVariable + ")");
            }
            return decryptPkcs8(file, encrypted, passphrase);
        }
        if (parsed instanceof PEMEncryptedKeyPair encrypted) {
            if (noPassphrase) {
                throw new KeyLoadException(file, "the key is encrypted (Proc-Type: 4,ENCRYPTED) and no passphrase was given (set " + passphraseVariable + ")");
            }
            try {
                return encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(passphrase))
                        .getPrivateKeyInfo();
            } catch (IOException | RuntimeException e) {
                throw new KeyLoadException(file, "wrong passphrase, or the key is damaged (encrypted with " + dekCipher(block) + ")");
            }
        }
        throw new KeyLoadException(file, "holds a private key structure Flowgate does not read (" + parsed.getClass().getSimpleName() + ")");
    }

    private static PrivateKeyInfo decryptPkcs8(Path file, PKCS8EncryptedPrivateKeyInfo encrypted, char[] passphrase) throws KeyLoadException {
        InputDecryptorProvider decryptors;
        try {
            decryptors = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(passphrase);
            // asked once up front so that an unsupported scheme is not reported as a wrong passphrase
            decryptors.get(encrypted.getEncryptionAlgorithm());
        } catch (OperatorCreationException | RuntimeException e) {
            throw new KeyLoadException(file, "the key is encrypted with a scheme Flowgate cannot read ("
                    + encrypted.getEncryptionAlgorithm().getAlgorithm().getId()
                    + "); re-encrypt it with: openssl pkcs8 -topk8 -v2 aes256 -in <file> -out <new file>");
        }
        try {
            return encrypted.decryptPrivateKeyInfo(decryptors);
        } catch (PKCSException | RuntimeException e) {
            throw new KeyLoadException(file, "wrong passphrase, or the key is damaged");
        }
    }

    private static RSAPrivateCrtKey toRsaKey(Path file, PrivateKeyInfo info) throws KeyLoadException {
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (!PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
            throw new KeyLoadException(file, notRsa(KEY_ALGORITHMS.getOrDefault(algorithm, "a key of algorithm " + algorithm.getId())));
        }
        PrivateKey key;
        try {
            key = new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | RuntimeException e) {
            throw new KeyLoadException(file, "the RSA key is damaged (its numbers do not form a valid key)");
        }
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new KeyLoadException(file, "the RSA key has no CRT parameters, which Flowgate needs; rewrite it with: openssl pkey -in <file> -out <new file>");
        }
        int bits = rsa.getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw new KeyLoadException(file, "the RSA key is " + bits + " bits; Meta requires at least " + MIN_RSA_BITS
                    + " (generate one with: openssl genrsa -out private.pem 2048)");
        }
        return rsa;
    }

    private static String notRsa(String found) {
        return "holds " + found + "; the Flow endpoint needs an RSA key of at least " + MIN_RSA_BITS + " bits";
    }

    private static String dekCipher(PemObject block) {
        for (Object header : block.getHeaders()) {
            PemHeader h = (PemHeader) header;
            if ("DEK-Info".equalsIgnoreCase(h.getName()) && h.getValue() != null) {
                String value = h.getValue();
                int comma = value.indexOf(',');
                // the part after the comma is the IV/salt, which says nothing useful to an operator
                return printable(comma < 0 ? value : value.substring(0, comma));
            }
        }
        return "an unnamed cipher";
    }

    /** Text from the file that goes into a message: printable ASCII only, and short. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 40));
        for (int i = 0; i < s.length() && out.length() < 40; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.toString();
    }

    /**
     * BouncyCastle's provider, used only for the key-file ciphers the JDK lacks (legacy OpenSSL
     * DEK-Info, PKCS#12 PBE, scrypt). Created on first use because it is slow to build, and never
     * registered with {@code java.security.Security}, so no other code's provider choice changes.
     */
    private static final class Bc {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    /** The same unregistered BouncyCastle provider, for writing key files ({@link EndpointKeys}). */
    static Provider bouncyCastle() {
        return Bc.PROVIDER;
    }
}
