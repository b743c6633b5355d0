package dev.harrier.remote;

/** A report whose lease token does not hold the job's attempt (any more): the worker must stop that job (409). */
public final class LeaseLost extends RuntimeException {

    public LeaseLost(String message) {
        super(message, null, false, false);
    }
}
