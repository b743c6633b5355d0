package dev.harrier.document;

/** Ends a request with a problem document; thrown (or failed with) by resources and filters. */
public final class ApiProblem extends RuntimeException {

    private final Problem problem;

    public ApiProblem(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
