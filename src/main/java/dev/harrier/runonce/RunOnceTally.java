package dev.harrier.runonce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harrier.queue.JobStatus;
import java.util.Map;
import java.util.TreeMap;

/**
 * What run once did, counted from the outcomes its attempts wrote, and printed as one JSON object:
 * {@code {"processed", "completed", "failed", "retrying", "cancelled", "waiting", "byKind", "durationMs"}}
 * ({@code waiting}: handlers that finished and wait for their children; handed-back jobs are not processed).
 */
final class RunOnceTally {

    private int processed;
    private int completed;
    private int failed;
    private int retrying;
    private int cancelled;
    private int waiting;
    private final Map<String, int[]> byKind = new TreeMap<>();

    synchronized void count(String kind, JobStatus status) {
        int[] kindCounts = byKind.computeIfAbsent(kind, k -> new int[2]);
        switch (status) {
            case COMPLETED -> {
                completed++;
                kindCounts[0]++;
            }
            case FAILED -> {
                failed++;
                kindCounts[1]++;
            }
            case RETRYING -> retrying++;
            case CANCELLED -> cancelled++;
            case WAITING -> waiting++;
            default -> {
                // Handed back (pending again): not processed.
                return;
            }
        }
        processed++;
    }

    synchronized String json(ObjectMapper mapper, long durationMs, boolean interrupted) {
        ObjectNode out = mapper.createObjectNode()
                .put("processed", processed)
                .put("completed", completed)
                .put("failed", failed)
                .put("retrying", retrying)
                .put("cancelled", cancelled)
                .put("waiting", waiting);
        ObjectNode kinds = out.putObject("byKind");
        byKind.forEach((kind, counts) -> kinds.putObject(kind).put("completed", counts[0]).put("failed", counts[1]));
        out.put("durationMs", durationMs);
        if (interrupted) {
            out.put("interrupted", true);
        }
        return out.toString();
    }
}
