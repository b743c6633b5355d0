package dev.harrier.api.auth;

import java.util.UUID;

/**
 * Who makes an API request: the workspace of its API key, or, for a browser's read token, the one
 * job it may read ({@code readOnlyJob}, null for API keys).
 */
public record Caller(String workspace, UUID readOnlyJob) {

    /** The request property the authentication filter stores the caller under. */
    public static final String PROPERTY = "harrier.caller";
}
