package dev.harrier.queue;

import java.time.Instant;

/** The result of one item of a fan-out job. {@code dataJson} is JSON text or null. */
public record JobItem(int index, String input, String status, Integer httpStatus, int attempts,
                      Integer durationMs, String dataJson, String error, Instant finishedAt) {
}
