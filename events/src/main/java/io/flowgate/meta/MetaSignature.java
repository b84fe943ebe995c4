package io.flowgate.meta;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Meta's request signature, {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>},
 * on both the Flow data endpoint and the messaging webhook. Verified over the exact bytes received, in
 * constant time; a rotation keeps the previous app secret valid beside the new one. Never reveals the
 * expected value.
 */
public final class MetaSignature {

    public static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";
    private static final int HEX_LENGTH = 64;

    private final List<SecretKeySpec> secrets;

    /**
     * @param secret         the app secret; null or blank means nothing verifies
     * @param previousSecret the secret still accepted during a rotation, or null
     */
    public MetaSignature(String secret, String previousSecret) {
        List<SecretKeySpec> keys = new ArrayList<>(2);
        for (String s : new String[]{secret, previousSecret}) {
            if (s != null && !s.isBlank()) {
                keys.add(new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            }
        }
        this.secrets = List.copyOf(keys);
    }

    /** Whether an app secret is configured at all; without one every request is refused. */
    public boolean isConfigured() {
        return !secrets.isEmpty();
    }

    /** True when the header is a well-formed signature of {@code body} under one of the secrets. */
    public boolean verify(byte[] body, String header) {
        if (secrets.isEmpty() || header == null || body == null) {
            return false;
        }
        String value = header.trim();
        if (value.length() != PREFIX.length() + HEX_LENGTH || !value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(value, PREFIX.length(), value.length());
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        boolean ok = false;
        for (SecretKeySpec key : secrets) {
            // every secret is tried, so the time taken does not tell which one matched
            ok |= MessageDigest.isEqual(hmac(key, body), given);
        }
        return ok;
    }

    /** The header value Meta would send for {@code body}; for clients, simulators and tests. */
    public static String sign(byte[] body, String secret) {
        return PREFIX + HexFormat.of().formatHex(hmac(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"), body));
    }

    private static byte[] hmac(SecretKeySpec key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
