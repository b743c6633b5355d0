package dev.harrier.queue;

import java.util.List;

/**
 * The jobs holding these unique keys kept ending and being replaced while an enqueue looked for
 * them: nothing was enqueued, and the same request is likely to succeed when sent again (409).
 */
public final class UniqueKeyContention extends RuntimeException {

    private final List<String> keys;

    public UniqueKeyContention(List<String> keys) {
        super("the jobs holding uniqueKey " + String.join(", ", keys) + " kept changing while enqueueing; send the request again",
                null, false, false);
        this.keys = List.copyOf(keys);
    }

    public List<String> keys() {
        return keys;
    }
}
