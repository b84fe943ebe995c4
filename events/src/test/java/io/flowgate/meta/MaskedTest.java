package io.flowgate.meta;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MaskedTest {

    @Test
    void maskedIdsKeepOnlyTheLastFourCharacters() {
        assertThat(Masked.id("16505551234")).isEqualTo("***1234");
        assertThat(Masked.id("US.13491208655302741918")).isEqualTo("***1918");
        assertThat(Masked.id("123")).isEqualTo("***");
        assertThat(Masked.id(null)).isEqualTo("-");
    }

    @Test
    void phoneNumbersInTextAreMaskedAndErrorCodesKept() {
        assertThat(Masked.text("(#131026) Message Undeliverable to +16505551234, see 131026"))
                .isEqualTo("(#131026) Message Undeliverable to ***1234, see 131026");
        assertThat(Masked.text(null)).isNull();
    }
}
