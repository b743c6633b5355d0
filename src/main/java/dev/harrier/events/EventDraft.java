package dev.harrier.events;

import java.util.UUID;

/** An event to append: its job, type ({@code progress}, {@code log} or {@code item}) and JSON data. */
public record EventDraft(UUID jobId, String type, String dataJson) {
}
