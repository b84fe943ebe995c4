package io.flowgate.routing.flowendpoint;

import io.flowgate.events.MetaSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

/**
 * Loads the endpoint's keys at start-up. A missing, unreadable or wrongly protected key stops start-up
 * with one line naming the file and the problem ({@link KeyLoadFailureAnalyzer}), rather than failing
 * every request later.
 */
@Configuration(proxyBeanMethods = false)
class CryptoConfig {

    private static final Logger log = LoggerFactory.getLogger(CryptoConfig.class);

    @Bean
    KeyRing keyRing(FlowEndpointProperties properties) throws KeyLoadException {
        if (blank(properties.privateKey())) {
            throw new KeyLoadException(Path.of("FLOWGATE_PRIVATE_KEY"), "not set; the Flow endpoint needs the path of the "
                    + "RSA private key (PEM) whose public key is uploaded to Meta");
        }
        KeyRing ring = KeyRing.load(Path.of(properties.privateKey()), chars(properties.privateKeyPassphrase()),
                blank(properties.previousPrivateKey()) ? null : Path.of(properties.previousPrivateKey()),
                chars(properties.previousPrivateKeyPassphrase()));
        log.info("Flow endpoint key loaded from {}{}; crypto provider: {}", properties.privateKey(),
                blank(properties.previousPrivateKey()) ? "" : " (previous key " + properties.previousPrivateKey() + " also accepted)",
                CryptoProviders.describe());
        return ring;
    }

    @Bean
    FlowCrypto flowCrypto(KeyRing keyRing) {
        return new FlowCrypto(keyRing);
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
