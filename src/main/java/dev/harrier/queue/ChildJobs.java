package dev.harrier.queue;

import dev.harrier.handler.ChildJob;
import dev.harrier.handler.ChildJobResult;
import dev.harrier.handler.FieldProblem;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Children a running handler enqueues under its job ({@code JobContext.enqueueChildren}), in one
 * transaction: each child is checked alone, and one that cannot be made is created {@code failed}
 * ({@code invalid_template}) instead of refusing its siblings; children are unique under the parent
 * by their key, so an attempt run again finds the ones it made. With a window (an {@code each}'s
 * {@code concurrency}) the children are inserted held and {@code harrier.release_children} releases
 * as many as the window has room for, in the same transaction.
 */
@ApplicationScoped
public class ChildJobs {

    /** The kind column of a child whose body has no usable kind. */
    static final String UNKNOWN_KIND = "unknown";

    private final Pool pool;
    private final JobSubmitter submitter;
    private final ChildKeys keys;

    public ChildJobs(Pool pool, JobSubmitter submitter, ChildKeys keys) {
        this.pool = pool;
        this.submitter = submitter;
        this.keys = keys;
    }

    /** One result per child, in order. {@code window}: null for no window. */
    public Uni<List<ChildJobResult>> enqueue(String workspace, UUID parent, List<ChildJob> children, Integer window) {
        Set<String> wanted = new LinkedHashSet<>();
        children.forEach(child -> {
            if (child.key() != null) {
                wanted.add(child.key());
            }
        });
        return pool.withTransaction(tx -> setWindow(tx, parent, window)
                .flatMap(set -> keys.existing(tx, parent, wanted))
                .flatMap(existing -> write(tx, workspace, parent, children, window, existing))
                .call(results -> window == null ? Uni.createFrom().voidItem() : release(tx, parent)));
    }

    /**
     * Jobs that are nobody's children ({@code then} links, callback deliveries), in the caller's
     * transaction, each checked alone and created {@code failed} when it cannot be made.
     */
    public Uni<List<ChildJobResult>> enqueueIn(SqlClient transaction, String workspace, List<ChildJob> jobs) {
        return write(transaction, workspace, null, jobs, null, Map.of());
    }

    /**
     * Children of {@code parent} in the caller's transaction (a sync's notify deliveries, made in
     * the sync's own); a child whose key the parent already has is not made again.
     */
    public Uni<List<ChildJobResult>> enqueueIn(SqlClient transaction, String workspace, UUID parent, List<ChildJob> jobs) {
        Set<String> wanted = new LinkedHashSet<>();
        jobs.forEach(child -> {
            if (child.key() != null) {
                wanted.add(child.key());
            }
        });
        return keys.existing(transaction, parent, wanted)
                .flatMap(existing -> write(transaction, workspace, parent, jobs, null, existing));
    }

    private Uni<List<ChildJobResult>> write(SqlClient tx, String workspace, UUID parent, List<ChildJob> children,
                                            Integer window, Map<String, Job> existing) {
        List<Integer> fresh = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<JobRequest> requests = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            ChildJob child = children.get(i);
            if (child.key() != null && (existing.containsKey(child.key()) || !seen.add(child.key()))) {
                continue;
            }
            fresh.add(i);
            List<FieldProblem> problems = new ArrayList<>();
            JobRequest request = child.invalid() == null ? JobRequests.read(child.body(), problems) : null;
            requests.add(request == null ? null : request.withParent(parent));
            unreadable.add(child.invalid() != null ? child.invalid() : problems.isEmpty() ? null : describe(problems));
        }
        return submitter.checkEach(tx, workspace, requests).flatMap(checked -> {
            List<NewJob> jobs = new ArrayList<>(fresh.size());
            for (int k = 0; k < fresh.size(); k++) {
                ChildJob child = children.get(fresh.get(k));
                NewJob job = checked.get(k).job();
                String invalid = unreadable.get(k) != null ? unreadable.get(k)
                        : job == null ? describe(checked.get(k).problems()) : null;
                jobs.add(invalid == null ? job.with(job.links().withChild(window != null, child.key(), null))
                        : failed(workspace, parent, child, requests.get(k), invalid));
            }
            return submitter.insertChecked(tx, jobs).map(created -> {
                ChildJobResult[] results = new ChildJobResult[children.size()];
                for (int k = 0; k < fresh.size(); k++) {
                    EnqueueResult result = created.get(k);
                    results[fresh.get(k)] = new ChildJobResult(result.job().id(), result.job().status().wire(), false,
                            result.duplicate());
                }
                for (int i = 0; i < children.size(); i++) {
                    if (results[i] == null) {
                        Job job = existing.get(children.get(i).key());
                        results[i] = job != null ? new ChildJobResult(job.id(), job.status().wire(), true, false)
                                : sameKeyAs(results, children, i);
                    }
                }
                return List.of(results);
            });
        });
    }

    /** A second child of one key in the same call: the first one's result. */
    private static ChildJobResult sameKeyAs(ChildJobResult[] results, List<ChildJob> children, int i) {
        for (int j = 0; j < i; j++) {
            if (children.get(i).key().equals(children.get(j).key())) {
                ChildJobResult first = results[j];
                return new ChildJobResult(first.id(), first.status(), true, first.duplicate());
            }
        }
        throw new IllegalStateException("no child of key " + children.get(i).key());
    }

    private static NewJob failed(String workspace, UUID parent, ChildJob child, JobRequest request, String reason) {
        String kind = request != null && request.kind() != null && !request.kind().isBlank()
                && InputChecks.textProblem(request.kind()) == null && request.kind().length() <= JobSubmitter.MAX_TEXT
                ? request.kind() : textKind(child);
        String text = InputChecks.textProblem(reason) == null ? reason : "the child could not be made";
        return new NewJob(workspace, NewJob.DEFAULT_QUEUE, kind, "{}", 0, null, 1, null, null, textTags(child), parent, null, null,
                false, new NewJob.Links(null, null, null, false, child.key(), text, null));
    }

    /** The tags of a body that could not be read whole, those that can be stored: the failed job is found by them. */
    private static List<String> textTags(ChildJob child) {
        List<String> tags = new ArrayList<>();
        if (child.body() != null && child.body().path("tags").isArray()) {
            child.body().get("tags").forEach(tag -> {
                if (tag.isTextual() && !tag.textValue().isEmpty() && tag.textValue().length() <= JobSubmitter.MAX_TEXT
                        && InputChecks.textProblem(tag.textValue()) == null && tags.size() < JobSubmitter.MAX_TAGS) {
                    tags.add(tag.textValue());
                }
            });
        }
        return tags;
    }

    private static String textKind(ChildJob child) {
        if (child.body() != null && child.body().path("kind").isTextual()) {
            String kind = child.body().get("kind").textValue();
            if (!kind.isBlank() && kind.length() <= JobSubmitter.MAX_TEXT && InputChecks.textProblem(kind) == null) {
                return kind;
            }
        }
        return UNKNOWN_KIND;
    }

    private static String describe(List<FieldProblem> problems) {
        return problems.stream().map(p -> p.field() + ": " + p.message()).collect(Collectors.joining("; "));
    }

    private static Uni<Void> setWindow(SqlClient tx, UUID parent, Integer window) {
        if (window == null) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(Table.JOBS.sql("set_children_window"))
                .execute(Tuple.of(parent, window))
                .replaceWithVoid();
    }

    private static Uni<Void> release(SqlClient tx, UUID parent) {
        return tx.preparedQuery(Table.JOBS.sql("release_children"))
                .execute(Tuple.of(parent))
                .replaceWithVoid();
    }
}
