package io.flowgate.routing.chat;

/** User ids (phone numbers) in logs: only the last four characters, enough to tell users apart in an incident. */
final class Masking {

    private Masking() {
    }

    static String user(String id) {
        if (id == null) {
            return "-";
        }
        return id.length() <= 4 ? "****" : "…" + id.substring(id.length() - 4);
    }
}
