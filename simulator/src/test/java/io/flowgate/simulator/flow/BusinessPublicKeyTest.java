package io.flowgate.simulator.flow;

import io.flowgate.testkit.TestKeys;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BusinessPublicKeyTest {

    @Test
    void publicKeyIsReadFromSpkiPemAndOtherFilesAreRefusedByName() {
        KeyPair keys = TestKeys.generate();

        assertThat(BusinessPublicKey.parse(TestKeys.publicKeyPem(keys), "public.pem")).isEqualTo(keys.getPublic());
        assertThatThrownBy(() -> BusinessPublicKey.parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "private.pem"))
                .hasMessageContaining("private.pem").hasMessageContaining("SPKI");
        assertThatThrownBy(() -> BusinessPublicKey.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "bad.pem"))
                .hasMessageContaining("bad.pem");
    }
}
