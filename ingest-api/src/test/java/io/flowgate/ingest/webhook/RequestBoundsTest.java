package io.flowgate.ingest.webhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The small pure pieces that bound what a request can make ingest-api do or show. */
class RequestBoundsTest {

    @Test
    void bodyAnnouncedOverTheLimitIsRefusedBeforeAByteIsRead() {
        InputStream mustNotBeRead = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the body was read");
            }
        };

        assertThatThrownBy(() -> RawBody.read(mustNotBeRead, 1025, 1024)).isInstanceOf(RawBody.TooLargeException.class);
    }

    @Test
    void chunkedBodyOverTheLimitIsRefusedAndOneAtTheLimitIsRead() throws Exception {
        assertThatThrownBy(() -> RawBody.read(new ByteArrayInputStream(new byte[1025]), -1, 1024))
                .isInstanceOf(RawBody.TooLargeException.class);
        assertThat(RawBody.read(new ByteArrayInputStream(new byte[1024]), -1, 1024)).hasSize(1024);
    }

    @Test
    void bodyShorterThanAnnouncedIsAnError() {
        assertThatThrownBy(() -> RawBody.read(new ByteArrayInputStream(new byte[10]), 20, 1024)).isInstanceOf(EOFException.class);
    }

    @Test
    void handshakeNeedsTheExactTokenAndSubscribe() {
        var handshake = new VerificationHandshake("s3cret");

        assertThat(handshake.accepts("subscribe", "s3cret")).isTrue();
        assertThat(handshake.accepts("subscribe", "s3cret ")).isFalse();
        assertThat(handshake.accepts("subscribe", "S3CRET")).isFalse();
        assertThat(handshake.accepts("Subscribe", "s3cret")).isFalse();
        assertThat(handshake.accepts(null, "s3cret")).isFalse();
        assertThat(handshake.accepts("subscribe", null)).isFalse();
    }

    @Test
    void handshakeWithoutAConfiguredTokenAcceptsNothing() {
        assertThat(new VerificationHandshake("").accepts("subscribe", "")).isFalse();
        assertThat(new VerificationHandshake(null).accepts("subscribe", "null")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 12", "12\n", "<b>\u00e9</b>", "a b"})
    void challengeThatIsNotShortVisibleAsciiIsNotEchoed(String challenge) {
        assertThat(VerificationHandshake.isEchoable(challenge)).isFalse();
    }

    @Test
    void challengeUpToTheBoundIsEchoed() {
        assertThat(VerificationHandshake.isEchoable("1158201444")).isTrue();
        assertThat(VerificationHandshake.isEchoable("9".repeat(VerificationHandshake.MAX_CHALLENGE_LENGTH))).isTrue();
        assertThat(VerificationHandshake.isEchoable("9".repeat(VerificationHandshake.MAX_CHALLENGE_LENGTH + 1))).isFalse();
    }
}
