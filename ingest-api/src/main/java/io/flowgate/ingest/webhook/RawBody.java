package io.flowgate.ingest.webhook;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body as the exact bytes sent (the signature covers those bytes, not a re-encoding),
 * never more than a limit: a body announced larger is refused before a byte of it is read, and a
 * chunked body stops being read one byte past the limit.
 */
final class RawBody {

    private RawBody() {
    }

    /** The body is larger than the limit. */
    static final class TooLargeException extends Exception {
        TooLargeException(long limit) {
            super("body larger than " + limit + " bytes");
        }
    }

    /**
     * @param in            the body stream
     * @param contentLength the announced length, or -1 when the body is chunked
     * @param limit         the most bytes accepted
     * @throws EOFException when the stream ends before the announced length
     */
    static byte[] read(InputStream in, long contentLength, int limit) throws IOException, TooLargeException {
        if (contentLength > limit) {
            throw new TooLargeException(limit);
        }
        if (contentLength >= 0) {
            byte[] body = in.readNBytes((int) contentLength);
            if (body.length < contentLength) {
                throw new EOFException("body ended after " + body.length + " of " + contentLength + " bytes");
            }
            return body;
        }
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            throw new TooLargeException(limit);
        }
        return body;
    }
}
