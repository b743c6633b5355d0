package dev.harrier.events;

import java.time.Instant;
import java.util.UUID;

/** One recorded event of a job: its sequence number (the SSE id), type, time and JSON data. */
public record JobEvent(UUID jobId, long seq, String type, Instant at, String dataJson) {
}
