package io.flowgate.routing.flowendpoint.crypto;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a key that cannot be loaded as one clear line instead of a bean-creation stack trace. */
class KeyLoadFailureAnalyzer extends AbstractFailureAnalyzer<KeyLoadException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KeyLoadException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Set FLOWGATE_PRIVATE_KEY to a readable RSA private key PEM (PKCS#8 or PKCS#1, optionally encrypted, "
                        + "with FLOWGATE_PRIVATE_KEY_PASSPHRASE).", cause);
    }
}
