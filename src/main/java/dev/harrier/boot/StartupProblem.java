package dev.harrier.boot;

/**
 * A configuration or environment problem that stops start-up. Its message is one readable line
 * for the operator: what is wrong and what to change. It carries no stack trace on purpose.
 */
public final class StartupProblem extends RuntimeException {

    public StartupProblem(String message) {
        super(message, null, false, false);
    }
}
