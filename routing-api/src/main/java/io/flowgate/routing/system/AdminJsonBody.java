package io.flowgate.routing.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An admin upload's JSON body (a Flow, a chat machine, an experiment, a request to Meta) parsed as text,
 * so that a refused control character or lone surrogate is named by its field ({@link ControlCharacters})
 * where Jackson's byte parser behind {@code @RequestBody} would only say the JSON is invalid. Its size was
 * bounded before the controller ran ({@link AdminBodyLimit}).
 */
public final class AdminJsonBody {

    private AdminJsonBody() {
    }

    /** The body as JSON; 400 when it is not UTF-8, not JSON, or holds a refused character, naming the field. */
    public static JsonNode parse(HttpServletRequest request, ObjectMapper mapper) throws IOException {
        byte[] body = request.getInputStream().readAllBytes();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the body is not UTF-8");
        }
        JsonNode json;
        try {
            json = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_json", "the body is not valid JSON: " + e.getOriginalMessage(),
                    List.of(e.getOriginalMessage()));
        }
        ControlCharacters.requireClean(json, "body");
        return json;
    }
}
