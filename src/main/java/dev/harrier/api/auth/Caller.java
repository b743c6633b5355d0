package dev.harrier.api.auth;

import java.util.List;
import java.util.UUID;

/**
 * Who makes an API request: the workspace of its API key, or a read token's grant. A job token
 * reads {@code readOnlyJob} only; a workspace token ({@code readOnly} without a job) reads the
 * workspace, and with {@code tags} only the jobs carrying all of them (and their descendants).
 */
public record Caller(String workspace, UUID readOnlyJob, List<String> tags, boolean readOnly) {

    /** The request property the authentication filter stores the caller under. */
    public static final String PROPERTY = "harrier.caller";

    public Caller {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** The holder of an API key of the workspace. */
    public static Caller withKey(String workspace) {
        return new Caller(workspace, null, List.of(), false);
    }

    /** A workspace token limited to the jobs carrying all of its tags. */
    public boolean taggedOnly() {
        return readOnly && readOnlyJob == null && !tags.isEmpty();
    }
}
