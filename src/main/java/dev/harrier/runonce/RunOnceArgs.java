package dev.harrier.runonce;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code run-once}: {@code --queue NAME} (repeatable; none: every queue) and
 * {@code --max-seconds N}. Anything else is refused with one line saying what is wrong.
 */
public record RunOnceArgs(List<String> queues, Long maxSeconds) {

    public static final String COMMAND = "run-once";
    private static final String USAGE = "usage: run-once [--queue NAME]... [--max-seconds N]";

    /** The arguments after {@code run-once}; an {@link IllegalArgumentException} with one readable line for bad ones. */
    public static RunOnceArgs parse(String[] args) {
        List<String> queues = new ArrayList<>();
        Long maxSeconds = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--queue" -> {
                    if (value == null || value.isBlank() || value.startsWith("--")) {
                        throw new IllegalArgumentException("--queue needs a queue name (" + USAGE + ")");
                    }
                    queues.add(value);
                    i++;
                }
                case "--max-seconds" -> {
                    try {
                        maxSeconds = Long.parseLong(value == null ? "" : value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--max-seconds needs a whole number of seconds (" + USAGE + ")");
                    }
                    if (maxSeconds < 1) {
                        throw new IllegalArgumentException("--max-seconds must be at least 1 (" + USAGE + ")");
                    }
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "' (" + USAGE + ")");
            }
        }
        return new RunOnceArgs(List.copyOf(queues), maxSeconds);
    }
}
