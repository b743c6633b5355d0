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

    /** The problems of a batch of one named as a single job's: {@code jobs[0].kind} is {@code kind}. */
    public InvalidJobException forOneJob() {
        return new InvalidJobException(problems.stream()
                .map(p -> new FieldProblem(p.field().equals("jobs[0]") ? "" : p.field().replaceFirst("^jobs\\[0]\\.", ""), p.message()))
                .toList());
    }
}
