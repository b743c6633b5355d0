package dev.harrier.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.harrier.handler.ChildJob;
import dev.harrier.handler.ChildJobResult;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import dev.harrier.template.Templates;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code each} kind: one child job per item, from {@code items} or from {@code itemsFrom}
 * ({@link ItemSource}), its {@code job} template filled with the item ({@code {{item.PATH}}},
 * {@code {{index}}}: {@link Templates}). Children are enqueued {@value #BATCH} at a time, each
 * batch one transaction, and at most {@code concurrency} of them (10 by default) run at once across
 * every instance: the others are held back and released as children end. A child whose template
 * cannot be filled, or whose job is invalid once filled, is created {@code failed}; it fails neither
 * its siblings nor this job. A retried or rescued attempt enqueues nothing twice (a child's key is
 * its item's index). Result: {@code {"total", "enqueued", "skipped"}} (skipped: items whose child
 * matched a live job's {@code uniqueKey}). The job then waits for its children and completes with
 * the last one.
 */
@ApplicationScoped
public class EachKind implements JobHandler<EachKind.Args, EachKind.Result> {

    static final int MAX_ITEMS = 100_000;
    static final int MAX_CONCURRENCY = 10_000;
    static final int DEFAULT_CONCURRENCY = 10;
    static final int BATCH = 1_000;

    /** {@code {"items" | "itemsFrom", "job", "concurrency"}}. */
    public record Args(JsonNode items, ItemSource.From itemsFrom, JsonNode job, Integer concurrency) {
    }

    public record Result(int total, int enqueued, int skipped) {
    }

    private final ItemSource source;

    public EachKind(ItemSource source) {
        this.source = source;
    }

    @Override
    public String kind() {
        return "each";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public List<FieldProblem> validate(Args args) {
        List<FieldProblem> problems = new ArrayList<>();
        boolean inline = args.items() != null && !args.items().isNull();
        if (inline == (args.itemsFrom() != null)) {
            problems.add(new FieldProblem("items", "exactly one of items and itemsFrom is required"));
        }
        if (inline && !args.items().isArray()) {
            problems.add(new FieldProblem("items", "must be a list"));
        } else if (inline && args.items().size() > MAX_ITEMS) {
            problems.add(new FieldProblem("items", "at most " + MAX_ITEMS + " items, not " + args.items().size()));
        }
        if (args.itemsFrom() != null) {
            source.validate(args.itemsFrom(), problems);
        }
        JsonNode job = args.job();
        if (job == null || !job.isObject()) {
            problems.add(new FieldProblem("job", "is required: the enqueue body of each child"));
        } else {
            if (!job.path("kind").isTextual() || job.get("kind").textValue().isBlank()) {
                problems.add(new FieldProblem("job.kind", "is required"));
            }
            if (job.has("parentId")) {
                problems.add(new FieldProblem("job.parentId", "must not be set: the children's parent is this job"));
            }
        }
        ArgChecks.range(problems, "concurrency", args.concurrency(), 1, MAX_CONCURRENCY);
        return problems;
    }

    @Override
    public Uni<Result> handle(JobContext<Args> context) {
        Args args = context.args();
        if (args.items() != null && !args.items().isNull()) {
            Batches inline = inline(args.items());
            return enqueueFrom(context, size -> Uni.createFrom().item(inline.next(size)), new Counts());
        }
        return source.read(args.itemsFrom(), MAX_ITEMS, context.secrets())
                .flatMap(items -> enqueueFrom(context, items::next, new Counts())
                        .eventually(items::close));
    }

    /** Where the items come from, a batch at a time (empty: no more). */
    interface Batches {
        List<JsonNode> next(int size);
    }

    /** The same, read when asked (from a file, on a worker thread). */
    interface AsyncBatches {
        Uni<List<JsonNode>> next(int size);
    }

    private static final class Counts {
        int total;
        final AtomicInteger enqueued = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
    }

    /** A repetition, not a recursion: each batch's children are let go once enqueued. */
    private Uni<Result> enqueueFrom(JobContext<Args> context, AsyncBatches batches, Counts counts) {
        return Multi.createBy().repeating().uni(() -> batches.next(BATCH))
                .until(items -> items.isEmpty() || context.isCancelled())
                .onItem().transformToUniAndConcatenate(items -> enqueueBatch(context, counts, items))
                .collect().last()
                .map(last -> new Result(counts.total, counts.enqueued.get(), counts.skipped.get()));
    }

    private Uni<Void> enqueueBatch(JobContext<Args> context, Counts counts, List<JsonNode> items) {
        Args args = context.args();
        int concurrency = args.concurrency() == null ? DEFAULT_CONCURRENCY : args.concurrency();
        List<ChildJob> batch = children(args.job(), items, counts.total);
        counts.total += items.size();
        return context.enqueueChildren(batch, concurrency)
                .invoke(results -> count(results, counts.enqueued, counts.skipped))
                .invoke(results -> context.progress().report("enqueue", null, (long) counts.total, null))
                .replaceWithVoid();
    }

    private static void count(List<ChildJobResult> results, AtomicInteger enqueued, AtomicInteger skipped) {
        for (ChildJobResult result : results) {
            if (result.duplicate()) {
                skipped.incrementAndGet();
            } else {
                enqueued.incrementAndGet();
            }
        }
    }

    /** The children of a batch of items, the first at {@code offset}: each the template filled with its item, or failed. */
    static List<ChildJob> children(JsonNode template, List<JsonNode> items, int offset) {
        List<ChildJob> batch = new ArrayList<>(items.size());
        for (int k = 0; k < items.size(); k++) {
            int i = offset + k;
            String key = "item:" + i;
            try {
                JsonNode filled = Templates.fill(template, Map.of("item", items.get(k), "index", IntNode.valueOf(i)));
                batch.add(ChildJob.of(filled, key));
            } catch (Templates.Unfillable e) {
                batch.add(new ChildJob(template, key, "item " + i + ": " + e.getMessage()));
            }
        }
        return batch;
    }

    private static Batches inline(JsonNode array) {
        int[] at = {0};
        return size -> {
            List<JsonNode> batch = new ArrayList<>(Math.min(size, array.size() - at[0]));
            while (batch.size() < size && at[0] < array.size()) {
                batch.add(array.get(at[0]++));
            }
            return batch;
        };
    }
}
