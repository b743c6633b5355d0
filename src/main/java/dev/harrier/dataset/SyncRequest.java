package dev.harrier.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One sync of a dataset, run by the job {@code jobId}: the snapshot is compared by {@code key};
 * with {@code expire}, the partition's records it does not hold expire ({@code expireSkipped}: a
 * partial scrape, nothing expires); {@code maxExpireRatio} and {@code force} guard against a
 * suspicious snapshot; {@code delivery} (the {@code notify} of the args, or null) says where the changes go.
 */
public record SyncRequest(String workspace, UUID jobId, String dataset, List<String> key, JsonNode partition,
                          boolean expire, boolean expireSkipped, double maxExpireRatio, boolean force, Notify delivery) {

    /** Deliveries of a sync's changes: {@code on} of new, changed, expired; {@code batch} records a POST. */
    public record Notify(String url, Map<String, String> headers, List<String> on, int batch) {
    }
}
