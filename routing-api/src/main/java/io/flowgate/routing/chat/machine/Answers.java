package io.flowgate.routing.chat.machine;

import io.flowgate.routing.chat.Input;

import io.flowgate.routing.chat.machine.ChatMachine.Answer;
import io.flowgate.routing.chat.machine.ChatMachine.Option;
import io.flowgate.routing.chat.machine.ChatMachine.Question;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whether a message answers a question, and what is stored if it does: a number within bounds,
 * one of the offered choices (tapped, or typed as its title or id), a text of bounded length with at least
 * one letter or digit (an emoji alone is no name), an e-mail address, or anything. A message of another
 * kind than the question expects (a voice note or a location when a number is wanted) answers nothing.
 */
public final class Answers {

    static final int MAX_EMAIL = 254;
    private static final int MAX_NUMBER_TEXT = 40;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}");
    private static final Pattern CURRENCY = Pattern.compile("(usd|eur|gbp|inr|brl|us\\$|r\\$|[$€£¥₹])");
    /** A separator between digit groups of three: "10,000", "1 000 000", "10'000", "10_000". */
    private static final Pattern THOUSANDS = Pattern.compile("(?<=\\d)[,'_ \\u00a0](?=\\d{3}(?!\\d))");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,18}(\\.\\d{1,6})?");
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Answers() {
    }

    /** The value to store, or null when the message does not answer the question. */
    public static Object accept(Answer answer, Question question, Input input) {
        return switch (answer.type()) {
            case NUMBER -> number(answer, input.text());
            case CHOICE -> choice(question, input);
            case TEXT -> text(answer.maxLength(), input.text());
            case EMAIL -> email(input.text());
            case ANY -> input.anyValue();
        };
    }

    private static Object number(Answer answer, String text) {
        BigDecimal n = parseNumber(text);
        if (n == null || (answer.min() != null && n.compareTo(answer.min()) < 0)
                || (answer.max() != null && n.compareTo(answer.max()) > 0)) {
            return null;
        }
        BigDecimal whole = n.stripTrailingZeros();
        if (whole.scale() <= 0 && whole.abs().compareTo(LONG_MAX) <= 0) {
            return whole.longValueExact();
        }
        return n.doubleValue();
    }

    /**
     * Reads an amount the way people type it: "7500", "7,500", "$7500", "7.5k", "2 m", "USD 10 000".
     * Returns null for anything else, including ambiguous forms such as "7,5".
     */
    static BigDecimal parseNumber(String text) {
        if (text == null || text.length() > MAX_NUMBER_TEXT) {
            return null;
        }
        String s = CURRENCY.matcher(text.strip().toLowerCase(Locale.ROOT)).replaceAll("");
        s = THOUSANDS.matcher(s.strip()).replaceAll("");
        BigDecimal factor = BigDecimal.ONE;
        if (s.endsWith("k")) {
            factor = BigDecimal.valueOf(1_000);
            s = s.substring(0, s.length() - 1).strip();
        } else if (s.endsWith("m")) {
            factor = BigDecimal.valueOf(1_000_000);
            s = s.substring(0, s.length() - 1).strip();
        }
        if (!DECIMAL.matcher(s).matches()) {
            return null;
        }
        return new BigDecimal(s).multiply(factor);
    }

    private static String choice(Question question, Input input) {
        for (Option o : question.options()) {
            if (o.id().equals(input.replyId())) {
                return o.id();
            }
        }
        // typed instead of tapped, or an old button's title: match by title or id
        for (String said : new String[] {input.text(), input.replyTitle()}) {
            if (said == null) {
                continue;
            }
            String s = said.strip();
            for (Option o : question.options()) {
                if (o.title().strip().equalsIgnoreCase(s) || o.id().equalsIgnoreCase(s)) {
                    return o.id();
                }
            }
        }
        return null;
    }

    private static String text(int maxLength, String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        int length = s.codePointCount(0, s.length());
        if (length == 0 || length > maxLength || s.codePoints().noneMatch(Character::isLetterOrDigit)) {
            return null;
        }
        return s;
    }

    private static String email(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        return s.length() <= MAX_EMAIL && EMAIL.matcher(s).matches() ? s : null;
    }
}
