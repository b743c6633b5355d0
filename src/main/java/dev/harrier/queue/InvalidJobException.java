package dev.harrier.queue;

import dev.harrier.handler.FieldProblem;
import java.util.List;

/** A job request that fails validation; nothing was written. Each problem names its field. */
public final class InvalidJobException extends RuntimeException {

    private final List<FieldProblem> problems;

    public InvalidJobException(List<FieldProblem> problems) {
        super(problems.isEmpty() ? "invalid job" : problems.get(0).field() + ": " + problems.get(0).message(), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<FieldProblem> problems() {
        return problems;
    }
}
