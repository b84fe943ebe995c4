package io.flowgate.simulator.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads the business public key the way Meta holds it: the SPKI PEM ({@code BEGIN PUBLIC KEY}) that a
 * business uploads to {@code whatsapp_business_encryption} (reference §1.3). The WhatsApp client wraps
 * every request's AES key with it, so the simulator needs exactly this file and nothing private.
 */
public final class BusinessPublicKey {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private BusinessPublicKey() {
    }

    /** The RSA key in {@code pem}; an {@link IllegalArgumentException} names the file and the problem. */
    public static PublicKey read(Path pem) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("public key " + pem + " cannot be read: " + e.getMessage(), e);
        }
        return parse(text, pem.toString());
    }

    static PublicKey parse(String text, String source) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("public key " + source + " is not an SPKI PEM file (" + BEGIN
                    + "); convert it with: openssl rsa -in private.pem -pubout");
        }
        PublicKey key;
        try {
            byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
            key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("public key " + source + " is not a readable RSA public key", e);
        }
        if (!(key instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException("public key " + source + " is not the 2048-bit RSA key Meta requires");
        }
        return key;
    }
}
