package dev.harrier.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harrier.document.JobDocument;
import dev.harrier.handler.ChildJob;
import dev.harrier.handler.ChildJobResult;
import dev.harrier.queue.ChildJobs;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobRows;
import dev.harrier.sql.Table;
import dev.harrier.template.Templates;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Enqueues what follows a job's end: its {@code then} link when it completed, its callback's
 * delivery when the status is one its {@code on} names. The trigger {@code harrier.job_followup}
 * writes a follow-up row in the transaction of the status change; this takes rows (SKIP LOCKED, so
 * instances share them) and, in one transaction, enqueues their jobs and deletes them: each link and
 * each delivery is enqueued exactly once, whichever instance does it, also when the instance that
 * ended the job died right after.
 *
 * <p>A link's strings get {@code {{result.PATH}}} and {@code {{job.id}}} filled from the finished
 * job (its own {@code then} is left for its own completion); a link that cannot be filled, or is
 * invalid once filled, is created {@code failed} ({@code invalid_template}). A delivery is an
 * {@code http} job in the queue {@value #CALLBACK_QUEUE}, tagged {@code callback:<job id>}, that
 * POSTs {@code {"event": "job.<status>", "job": <document>}} and is retried with backoff up to
 * {@value #CALLBACK_ATTEMPTS} attempts: visible, dead-lettered and retryable like any job.
 */
@ApplicationScoped
public class Followups {

    static final int BATCH = 100;
    static final String CALLBACK_QUEUE = "callbacks";
    static final int CALLBACK_ATTEMPTS = 10;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Pool pool;
    private final ChildJobs jobs;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;

    public Followups(Pool pool, ChildJobs jobs, ObjectMapper mapper, MeterRegistry meters) {
        this.pool = pool;
        this.jobs = jobs;
        this.mapper = mapper;
        this.meters = meters;
    }

    private record Followup(UUID jobId, String workspace, String status) {
    }

    /** Enqueues the jobs of up to {@value #BATCH} follow-ups; emits how many follow-ups it took. */
    public Uni<Integer> runOnce() {
        return pool.withTransaction(tx -> tx.preparedQuery(Table.JOB_FOLLOWUPS.sql("take"))
                .execute(Tuple.of(BATCH))
                .flatMap(rows -> {
                    List<Followup> taken = new ArrayList<>();
                    for (Row row : rows) {
                        taken.add(new Followup(row.getUUID("job_id"), row.getString("workspace"), row.getString("status")));
                    }
                    if (taken.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return enqueue(tx, taken).replaceWith(taken.size());
                }));
    }

    private Uni<Void> enqueue(SqlClient tx, List<Followup> taken) {
        UUID[] ids = taken.stream().map(Followup::jobId).distinct().toArray(UUID[]::new);
        return tx.preparedQuery(Table.JOBS.sql("get_many")).execute(Tuple.of((Object) ids))
                .flatMap(rows -> {
                    Map<UUID, Job> byId = new HashMap<>();
                    JobRows.toJobs(rows).forEach(job -> byId.put(job.id(), job));
                    Map<String, List<ChildJob>> byWorkspace = new LinkedHashMap<>();
                    for (Followup followup : taken) {
                        Job job = byId.get(followup.jobId());
                        if (job == null) {
                            continue;
                        }
                        List<ChildJob> made = byWorkspace.computeIfAbsent(job.workspace(), w -> new ArrayList<>());
                        if ("completed".equals(followup.status()) && job.pipeline().thenJson() != null) {
                            made.add(link(job));
                            meters.counter("harrier.pipeline.links").increment();
                        }
                        ChildJob delivery = delivery(job, followup.status());
                        if (delivery != null) {
                            made.add(delivery);
                            meters.counter("harrier.pipeline.callbacks").increment();
                        }
                    }
                    List<Uni<List<ChildJobResult>>> writes = byWorkspace.entrySet().stream()
                            .filter(e -> !e.getValue().isEmpty())
                            .map(e -> jobs.enqueueIn(tx, e.getKey(), e.getValue()))
                            .toList();
                    if (writes.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    // One statement at a time on the transaction's connection.
                    return Uni.join().all(writes).usingConcurrencyOf(1).andFailFast().replaceWithVoid();
                })
                .replaceWithVoid();
    }

    /** The {@code then} link of a completed job, its placeholders filled (its own {@code then} left as it is). */
    ChildJob link(Job job) {
        JsonNode body = read(job.pipeline().thenJson());
        if (!(body instanceof ObjectNode template)) {
            return new ChildJob(body, null, "then: not an enqueue body");
        }
        ObjectNode copy = template.deepCopy();
        JsonNode next = copy.remove("then");
        JsonNode result = job.resultJson() == null ? NullNode.getInstance() : read(job.resultJson());
        try {
            JsonNode filled = Templates.fill(copy, Map.of("result", result, "job", NODES.objectNode().put("id", job.id().toString())));
            if (next != null) {
                ((ObjectNode) filled).set("then", next);
            }
            return ChildJob.of(filled, null);
        } catch (Templates.Unfillable e) {
            return new ChildJob(template, null, "then of job " + job.id() + ": " + e.getMessage());
        }
    }

    /** The delivery of a job's callback for the status it reached, or null when its {@code on} leaves it out. */
    ChildJob delivery(Job job, String status) {
        if (job.pipeline().callbackJson() == null) {
            return null;
        }
        JsonNode callback = read(job.pipeline().callbackJson());
        JsonNode on = callback.get("on");
        if (on != null && on.isArray()) {
            boolean wanted = false;
            for (JsonNode value : on) {
                wanted |= status.equals(value.asText());
            }
            if (!wanted) {
                return null;
            }
        }
        ObjectNode body = NODES.objectNode();
        body.put("event", "job." + status);
        body.set("job", mapper.valueToTree(JobDocument.of(job)));
        ObjectNode args = NODES.objectNode();
        args.set("url", callback.get("url"));
        args.put("method", "POST");
        if (callback.hasNonNull("headers")) {
            args.set("headers", callback.get("headers"));
        }
        args.set("body", body);
        ObjectNode delivery = NODES.objectNode();
        delivery.put("kind", "http");
        delivery.put("queue", CALLBACK_QUEUE);
        delivery.put("maxAttempts", CALLBACK_ATTEMPTS);
        delivery.set("args", args);
        delivery.set("tags", NODES.arrayNode().add("callback:" + job.id()));
        return ChildJob.of(delivery, null);
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (Exception e) {
            return NullNode.getInstance();
        }
    }
}
