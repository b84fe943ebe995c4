package io.flowgate.routing.system;

import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a request's raw bytes (signatures are computed over them, never over re-serialized JSON) with
 * a hard size limit, so an oversized or endless body costs at most {@code limit} bytes of memory: the Flow
 * endpoint's body, and every admin body ({@link AdminBodyLimit}).
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /** The body, or null when it is larger than {@code limit} bytes. */
    public static byte[] read(HttpServletRequest request, int limit) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            return null;
        }
        int initial = declared >= 0 ? (int) declared : Math.min(limit, 8192);
        byte[] buffer = new byte[Math.max(initial, 16)];
        int length = 0;
        try (InputStream in = request.getInputStream()) {
            while (true) {
                if (length == buffer.length) {
                    if (buffer.length >= limit + 1) {
                        return null;
                    }
                    buffer = Arrays.copyOf(buffer, (int) Math.min((long) limit + 1, buffer.length * 2L));
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
                if (length > limit) {
                    return null;
                }
            }
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }
}
