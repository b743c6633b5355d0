package dev.harrier.handler;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A child a handler enqueues under its job: {@code body} is an enqueue body as the API takes it
 * (without {@code parentId}); {@code key} makes it unique under the parent, so that an attempt run
 * again (a retry, a rescue) does not enqueue it twice; with {@code invalid} set, the child could not
 * be made (a template that cannot be filled) and is created {@code failed} with that reason.
 */
public record ChildJob(JsonNode body, String key, String invalid) {

    public static ChildJob of(JsonNode body, String key) {
        return new ChildJob(body, key, null);
    }
}
