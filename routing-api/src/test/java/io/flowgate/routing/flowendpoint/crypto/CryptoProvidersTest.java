package io.flowgate.routing.flowendpoint.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.security.Security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which providers the endpoint runs on, and that each one proves it does the protocol's operations. */
class CryptoProvidersTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    @EnabledIfSystemProperty(named = "os.arch", matches = "amd64|x86_64")
    void correttoLoadsOnLinuxX86AndIsChosenForBoth() {
        // the machines this project deploys to; a failure here means the endpoint silently runs slower
        assertTrue(CryptoProviders.corretto().isPresent(), "ACCP did not load");
        assertSame(CryptoProviders.corretto().get(), CryptoProviders.rsa());
        assertSame(CryptoProviders.corretto().get(), CryptoProviders.aes());
        assertThat(CryptoProviders.describe()).matches("AmazonCorrettoCryptoProvider [0-9.]+ \\(native\\)");
    }

    @Test
    void whereCorrettoDoesNotLoadTheJdkIsChosen() {
        if (CryptoProviders.corretto().isEmpty()) {
            assertSame(CryptoProviders.jdk(), CryptoProviders.rsa());
            assertSame(CryptoProviders.jdk(), CryptoProviders.aes());
            assertThat(CryptoProviders.describe()).isEqualTo("SunJCE (JDK)");
        } else {
            assertThat(CryptoProviders.describe()).doesNotContain("JDK");
        }
    }

    @Test
    void theJdkPassesBothSelfTests() {
        assertTrue(CryptoProviders.decryptsOaepSha256(CryptoProviders.jdk()));
        assertTrue(CryptoProviders.doesGcmWith16ByteIv(CryptoProviders.jdk()));
        assertThat(CryptoProviders.describe(CryptoProviders.jdk())).isEqualTo("SunJCE (JDK)");
    }

    @Test
    void aProviderWithoutTheCiphersFailsBothSelfTests() {
        // SUN has message digests and SecureRandom but no Cipher at all
        assertFalse(CryptoProviders.decryptsOaepSha256(Security.getProvider("SUN")));
        assertFalse(CryptoProviders.doesGcmWith16ByteIv(Security.getProvider("SUN")));
    }
}
