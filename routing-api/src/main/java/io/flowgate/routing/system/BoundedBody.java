package io.flowgate.routing.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a request's raw bytes (signatures are computed over them, never over re-serialized JSON) with
 * a hard size limit, so an oversized or endless body costs at most {@code limit} bytes of memory.
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

    /**
     * An admin upload's JSON body: 413 when it is larger than {@code limit} bytes, 400 when it is not
     * JSON or holds a refused control character ({@link ControlCharacters}), each refusal naming
     * {@code what} was uploaded or the field.
     */
    public static JsonNode readJson(HttpServletRequest request, int limit, ObjectMapper mapper, String what) throws IOException {
        byte[] body = read(request, limit);
        if (body == null) {
            throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "too_large", what + " is larger than " + limit + " bytes");
        }
        String text;
        try {
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw ApiException.badRequest("the body is not UTF-8");
        }
        JsonNode json;
        try {
            // parsed as text: Jackson's byte parser refuses an escaped lone surrogate in a field name
            // without naming it, where the check below names the field
            json = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_json", "the body is not valid JSON: " + e.getOriginalMessage(),
                    List.of(e.getOriginalMessage()));
        }
        ControlCharacters.requireClean(json, "body");
        return json;
    }
}
