package dev.harrier.handler;

/**
 * The result of one item of a fan-out job (a URL fetched, a record enriched): kept in the job's
 * items, streamed as an {@code item} event. {@code dataJson} is JSON text or null.
 */
public record ItemResult(int index, String input, boolean ok, Integer httpStatus, int attempts, long durationMs,
                         String dataJson, String error) {
}
