package dev.harrier.handler;

import java.util.UUID;

/**
 * What became of one {@link ChildJob}: its job's id and status; {@code existed} when a child of
 * its key was already there (from an earlier attempt); {@code duplicate} when its {@code uniqueKey}
 * was held by a live job (the id is that job's, which is not a child).
 */
public record ChildJobResult(UUID id, String status, boolean existed, boolean duplicate) {
}
