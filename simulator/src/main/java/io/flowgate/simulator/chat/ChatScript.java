package io.flowgate.simulator.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What one lead writes in a qualification chat, decided when they arrive: a greeting, then an answer
 * to each question — name, budget, industry, timeline — sometimes first a wrong one (a number for a
 * name, words for a budget) that the state machine must refuse and ask again. Some leads stop halfway.
 * The answers are grouped into deliveries: usually one message per webhook, sometimes two that Meta
 * delivers in the reverse of the order they were written.
 */
final class ChatScript {

    private static final double INVALID = 0.25;
    private static final double STOPS_HALFWAY = 0.2;
    private static final double REORDERED = 0.1;

    private static final List<String> GREETINGS = List.of("Hi! I'd like a quote", "Hello, do you repair phones?", "hi");
    private static final List<String> NAMES = List.of("Ana Lima", "Ravi Patel", "Chen Wei", "Maria Garcia", "Tom Becker");
    private static final List<String> BAD_NAMES = List.of("123", "?", "...");
    private static final List<String> BUDGETS = List.of("800", "2500", "USD 12000", "5000");
    private static final List<String> BAD_BUDGETS = List.of("a lot", "cheap", "-20");
    private static final List<String[]> INDUSTRIES = List.of(new String[]{"retail", "Retail"},
            new String[]{"healthcare", "Healthcare"}, new String[]{"education", "Education"},
            new String[]{"hospitality", "Hospitality"}, new String[]{"other", "Other"});
    private static final List<String[]> TIMELINES = List.of(new String[]{"this_week", "This week"},
            new String[]{"this_month", "This month"}, new String[]{"this_quarter", "This quarter"},
            new String[]{"later", "Later"});

    /** One thing the lead writes; {@code replyType} is null for text, else the interactive reply's type. */
    record Utterance(String text, String replyType, String replyId, boolean invalid) {

        static Utterance text(String text, boolean invalid) {
            return new Utterance(text, null, null, invalid);
        }

        static Utterance reply(String type, String id, String title) {
            return new Utterance(title, type, id, false);
        }
    }

    /** Messages Meta delivers in one go, in delivery order; {@code reversed} when written the other way round. */
    record Delivery(List<Utterance> utterances, boolean reversed) {
    }

    /** A lead's whole chat; {@code answersEverything} is false for a lead who stops halfway. */
    record Script(List<Delivery> deliveries, boolean answersEverything) {
    }

    private ChatScript() {
    }

    static Script write(RandomGenerator random) {
        List<Utterance> said = new ArrayList<>();
        said.add(Utterance.text(pick(GREETINGS, random), false));
        List<List<Utterance>> answers = List.of(
                answer(random, pick(BAD_NAMES, random), Utterance.text(pick(NAMES, random), false)),
                answer(random, pick(BAD_BUDGETS, random), Utterance.text(pick(BUDGETS, random), false)),
                answer(random, "dunno", reply("list_reply", pick(INDUSTRIES, random))),
                answer(random, "whenever", reply("button_reply", pick(TIMELINES, random))));
        int questions = random.nextDouble() < STOPS_HALFWAY ? random.nextInt(answers.size()) : answers.size();
        answers.subList(0, questions).forEach(said::addAll);

        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < said.size(); i++) {
            if (i + 1 < said.size() && random.nextDouble() < REORDERED) {
                deliveries.add(new Delivery(List.of(said.get(i + 1), said.get(i)), true));
                i++;
            } else {
                deliveries.add(new Delivery(List.of(said.get(i)), false));
            }
        }
        return new Script(deliveries, questions == answers.size());
    }

    private static List<Utterance> answer(RandomGenerator random, String wrong, Utterance right) {
        return random.nextDouble() < INVALID ? List.of(Utterance.text(wrong, true), right) : List.of(right);
    }

    private static Utterance reply(String type, String[] option) {
        return Utterance.reply(type, option[0], option[1]);
    }

    private static <T> T pick(List<T> options, RandomGenerator random) {
        return options.get(random.nextInt(options.size()));
    }
}
