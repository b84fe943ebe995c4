package io.flowgate.routing.chat;

import io.flowgate.routing.chat.machine.ChatMachine;
import io.flowgate.routing.chat.machine.MachineParser;
import io.flowgate.routing.chat.machine.MachineValidationException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.system.AdminJsonBody;
import io.flowgate.routing.system.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admin API of the chat machines: upload a machine's definition ({@code PUT /api/chat-machines/{id}}),
 * read it back, list the machines. An invalid definition is refused with a 400 listing every problem; a
 * valid one takes effect for the next message of every conversation on every instance.
 */
@RestController
class ChatMachineAdminController {

    private final ChatMachines machines;
    private final ObjectMapper mapper;

    ChatMachineAdminController(ChatMachines machines, ObjectMapper mapper) {
        this.machines = machines;
        this.mapper = mapper;
    }

    @PutMapping(path = "/api/chat-machines/{machineId}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> upload(@PathVariable String machineId, HttpServletRequest request) throws IOException {
        checkId(machineId);
        JsonNode json = AdminJsonBody.parse(request, mapper);
        List<String> experimentProblems = machines.liveExperimentProblems(machineId, json);
        if (!experimentProblems.isEmpty()) {
            // as for a Flow whose live experiment's rules would no longer fit: stop or promote it first
            throw ApiException.badRequest("the chat machine's live experiment would no longer fit it", experimentProblems);
        }
        boolean replaced;
        try {
            replaced = machines.save(machineId, json);
        } catch (MachineValidationException e) {
            throw ApiException.badRequest("the chat machine is not valid", e.problems());
        }
        ChatMachine machine = machines.find(machineId).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine_id", machineId);
        out.put("revision", machines.revision(machineId));
        out.put("start", machine.start());
        out.put("states", List.copyOf(machine.states().keySet()));
        return ResponseEntity.status(replaced ? HttpStatus.OK : HttpStatus.CREATED).body(out);
    }

    @GetMapping(path = "/api/chat-machines/{machineId}", produces = MediaType.APPLICATION_JSON_VALUE)
    JsonNode get(@PathVariable String machineId) {
        checkId(machineId);
        return machines.find(machineId).map(ChatMachine::definition)
                .orElseThrow(() -> ApiException.notFound("no chat machine " + machineId));
    }

    @GetMapping(path = "/api/chat-machines", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, List<String>> list() {
        return Map.of("machines", machines.ids());
    }

    private static void checkId(String machineId) {
        if (!MachineParser.MACHINE_ID.matcher(machineId).matches()) {
            throw ApiException.badRequest("a machine id is 1-64 letters, digits, '_', '.' or '-'");
        }
    }
}
