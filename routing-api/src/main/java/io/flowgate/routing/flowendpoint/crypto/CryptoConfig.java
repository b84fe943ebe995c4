package io.flowgate.routing.flowendpoint.crypto;

import io.flowgate.routing.flowendpoint.FlowEndpointProperties;

import io.flowgate.meta.MetaSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.flowgate.routing.system.ChangeListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

/**
 * Loads the endpoint's keys at start-up. A missing, unreadable or wrongly protected key stops start-up
 * with one line naming the file and the problem ({@link KeyLoadFailureAnalyzer}), rather than failing
 * every request later.
 */
@Configuration(proxyBeanMethods = false)
public class CryptoConfig {

    /** The "table" name of the announcement that the key files changed. */
    public static final String KEYS_CHANGED = "endpoint_keys";
    private static final Logger log = LoggerFactory.getLogger(CryptoConfig.class);

    /**
     * The keys from {@code FLOWGATE_PRIVATE_KEY} and, when it exists, the previous key (the setting's file,
     * or the {@code .previous} file a rotation left). They are loaded again when another instance announces a
     * rotation step on {@code flowgate_changes} ({@value #KEYS_CHANGED}), so every instance follows.
     */
    @Bean
    EndpointKeys endpointKeys(FlowEndpointProperties properties, ObjectProvider<ChangeListener> changes) throws KeyLoadException {
        if (blank(properties.privateKey())) {
            throw new KeyLoadException(Path.of("FLOWGATE_PRIVATE_KEY"), "not set; the Flow endpoint needs the path of the "
                    + "RSA private key (PEM) whose public key is uploaded to Meta");
        }
        EndpointKeys keys = new EndpointKeys(Path.of(properties.privateKey()), chars(properties.privateKeyPassphrase()),
                blank(properties.previousPrivateKey()) ? null : Path.of(properties.previousPrivateKey()),
                chars(properties.previousPrivateKeyPassphrase()));
        log.info("Flow endpoint key loaded from {}{}; crypto provider: {}", properties.privateKey(),
                keys.hasPrevious() ? " (previous key " + keys.previousFile() + " also accepted)" : "",
                CryptoProviders.describe());
        changes.ifAvailable(listener -> listener.subscribe(change -> {
            if (change.table().equals(KEYS_CHANGED)) {
                try {
                    keys.reload();
                } catch (KeyLoadException | RuntimeException e) {
                    log.error("another instance changed the Flow endpoint keys, but they do not load here; the keys in use stay: {}",
                            e.getMessage());
                }
            }
        }));
        return keys;
    }

    @Bean
    MetaSignature endpointSignature(FlowEndpointProperties properties) {
        MetaSignature signature = new MetaSignature(properties.appSecret(), properties.previousAppSecret());
        if (!signature.isConfigured()) {
            log.warn("FLOWGATE_APP_SECRET is not set: every Flow endpoint request is refused with 432 until it is");
        }
        return signature;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static char[] chars(String s) {
        return blank(s) ? null : s.toCharArray();
    }
}
