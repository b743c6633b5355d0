package dev.harrier.remote;

import dev.harrier.config.HarrierConfig;
import dev.harrier.handler.FieldProblem;
import dev.harrier.queue.ChildKeys;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.InvalidJobException;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobSubmitter;
import dev.harrier.queue.LeaseTokens;
import dev.harrier.queue.RemoteLeases;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Children enqueued by a remote worker for the job it runs ({@code POST /jobs/{id}/children}), as the
 * batch endpoint would with each {@code parentId} set. An entry with a {@code childKey} is created
 * once per parent: a repeat of the call (its reply was lost) returns the child made the first time,
 * as a duplicate. New children and their keys are written in one transaction.
 */
@ApplicationScoped
public class RemoteChildren {

    /** One child: the enqueue, and its key under the parent (null: none). */
    public record Child(JobRequest request, String childKey) {
    }

    private static final String CHILD_KEY_INDEX = "jobs_child_key_idx";
    private static final Pattern ENTRY = Pattern.compile("jobs\\[(\\d+)]");

    private final RemoteLeases leases;
    private final JobSubmitter submitter;
    private final ChildKeys keys;
    private final Pool pool;
    private final Duration defaultTimeout;

    public RemoteChildren(RemoteLeases leases, JobSubmitter submitter, ChildKeys keys, Pool pool, HarrierConfig config) {
        this.leases = leases;
        this.submitter = submitter;
        this.keys = keys;
        this.pool = pool;
        this.defaultTimeout = config.worker().defaultTimeout();
    }

    /** The children in request order, each new or (by its key, or its uniqueKey) a duplicate. */
    public Uni<List<EnqueueResult>> enqueue(String workspace, UUID parent, String token, List<Child> children) {
        byte[] hash = LeaseTokens.hash(token).orElseThrow(() -> new LeaseLost("Harrier-Lease is not a lease token of this API"));
        return leases.held(workspace, parent, hash, defaultTimeout)
                .flatMap(held -> held.isPresent() ? write(workspace, parent, children)
                        : Uni.createFrom().failure(new LeaseLost("This lease token does not hold job " + parent
                                + " (the lease expired and the job was rescued, the job was cancelled, or the attempt is over)")))
                // Two repeats of one call at once: the second's keys were taken meanwhile; once more finds them.
                .onFailure(RemoteChildren::keyTaken).retry().atMost(1);
    }

    private Uni<List<EnqueueResult>> write(String workspace, UUID parent, List<Child> children) {
        Set<String> wanted = new LinkedHashSet<>();
        children.forEach(child -> {
            if (child.childKey() != null) {
                wanted.add(child.childKey());
            }
        });
        return pool.withTransaction(tx -> keys.existing(tx, parent, wanted).flatMap(existing -> {
            List<Integer> fresh = new ArrayList<>();
            List<JobRequest> requests = new ArrayList<>();
            Map<String, Integer> firstOfKey = new HashMap<>();
            for (int i = 0; i < children.size(); i++) {
                String key = children.get(i).childKey();
                if (key != null && (existing.containsKey(key) || firstOfKey.containsKey(key))) {
                    continue;
                }
                if (key != null) {
                    firstOfKey.put(key, i);
                }
                fresh.add(i);
                requests.add(children.get(i).request());
            }
            Uni<List<EnqueueResult>> submitted = requests.isEmpty() ? Uni.createFrom().item(List.of())
                    : submitter.submit(tx, workspace, requests)
                            // Problems named by the entry's place in the call, not among the new ones.
                            .onFailure(InvalidJobException.class).transform(e -> renumbered((InvalidJobException) e, fresh));
            return submitted.flatMap(created -> {
                Map<String, EnqueueResult> byKey = new HashMap<>();
                existing.forEach((key, job) -> byKey.put(key, new EnqueueResult(job, true)));
                List<UUID> keyed = new ArrayList<>();
                List<String> keyOf = new ArrayList<>();
                EnqueueResult[] results = new EnqueueResult[children.size()];
                for (int k = 0; k < fresh.size(); k++) {
                    EnqueueResult result = created.get(k);
                    String key = children.get(fresh.get(k)).childKey();
                    results[fresh.get(k)] = result;
                    if (key != null) {
                        byKey.put(key, new EnqueueResult(result.job(), true));
                        if (!result.duplicate()) {
                            keyed.add(result.job().id());
                            keyOf.add(key);
                        }
                    }
                }
                for (int i = 0; i < children.size(); i++) {
                    if (results[i] == null) {
                        results[i] = byKey.get(children.get(i).childKey());
                    }
                }
                return keys.set(tx, keyed, keyOf).replaceWith(List.of(results));
            });
        }));
    }

    private static InvalidJobException renumbered(InvalidJobException e, List<Integer> fresh) {
        return new InvalidJobException(e.problems().stream().map(p -> {
            Matcher at = ENTRY.matcher(p.field());
            return at.lookingAt() ? new FieldProblem("jobs[" + fresh.get(Integer.parseInt(at.group(1))) + "]"
                    + p.field().substring(at.end()), p.message()) : p;
        }).toList());
    }

    private static boolean keyTaken(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState())
                && pg.getConstraint() != null && pg.getConstraint().equals(CHILD_KEY_INDEX);
    }
}
