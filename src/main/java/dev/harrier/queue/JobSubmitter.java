package dev.harrier.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.harrier.config.HarrierConfig;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.HandlerRegistry;
import dev.harrier.handler.JobHandler;
import dev.harrier.secret.SecretStore;
import dev.harrier.secret.SecretValues;
import dev.harrier.sql.SmallBatches;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one way in for new jobs, from Java and from the HTTP API alike: checks every field (the kind
 * exists, its arguments read, numbers in range), fills in defaults, and enqueues, on the pool or in
 * the caller's transaction. A batch with any problem is refused whole with
 * {@link InvalidJobException}, and nothing is written. There is no other way to insert a job.
 */
@ApplicationScoped
public class JobSubmitter {

    public static final int MAX_BATCH = 10_000;
    public static final int MAX_ATTEMPTS = 100;
    public static final int MAX_TIMEOUT_SECONDS = 86_400;
    public static final int MAX_TAGS = 50;
    public static final int MAX_TEXT = 255;
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

    private final HandlerRegistry handlers;
    private final JobEnqueuer enqueuer;
    private final Pool pool;
    private final HarrierConfig config;
    private final KindStore kinds;
    private final ArgsSchemas schemas;
    private final SecretStore secrets;

    public JobSubmitter(HandlerRegistry handlers, Pool pool, SmallBatches smallBatches, HarrierConfig config,
                        EnqueueNotices notices, KindStore kinds, ArgsSchemas schemas, SecretStore secrets) {
        this.handlers = handlers;
        this.secrets = secrets;
        this.kinds = kinds;
        this.schemas = schemas;
        this.enqueuer = new JobEnqueuer(pool, smallBatches, notices);
        this.pool = pool;
        this.config = config;
    }

    /**
     * Enqueues on the pool: a batch is all or nothing. Problems are named {@code jobs[i].field};
     * results come in request order, a duplicate of a unique key as the live job that holds it.
     */
    public Uni<List<EnqueueResult>> submit(String workspace, List<JobRequest> requests) {
        return check(pool, workspace, requests)
                .flatMap(enqueuer::onPool)
                .onFailure(ParentEnded::is).transform(ParentEnded::problem);
    }

    /**
     * Checks one job as an enqueue would (a schedule's template), writing nothing; problems are
     * named {@code job.<field>}.
     */
    public Uni<Void> checkTemplate(String workspace, JobRequest request) {
        return check(pool, workspace, List.of(request)).replaceWithVoid()
                .onFailure(InvalidJobException.class).transform(e -> new InvalidJobException(
                        ((InvalidJobException) e).problems().stream()
                                .map(p -> new FieldProblem(p.field().replaceFirst("^jobs\\[0]", "job"), p.message()))
                                .toList()));
    }

    /**
     * The runs of a schedule, one per fire time, from its job template, in the caller's transaction
     * (the schedule's row is locked there): each carries {@code schedule} and its {@code scheduledFor}.
     * A fire that already has its job breaks the unique index of fires, and the transaction.
     */
    public Uni<List<EnqueueResult>> submitRuns(SqlClient transaction, String workspace, JobRequest template,
                                               String schedule, List<Instant> fireTimes, boolean triggered) {
        // Checked once: every run is the same job but for its fire time.
        return check(transaction, workspace, List.of(template))
                .flatMap(checked -> {
                    NewJob job = checked.get(0);
                    List<NewJob> runs = fireTimes.stream()
                            .map(at -> new NewJob(job.workspace(), job.queue(), job.kind(), job.argsJson(), job.priority(),
                                    job.runAt(), job.maxAttempts(), job.timeoutSeconds(), job.uniqueKey(), job.tags(),
                                    job.parentId(), schedule, at, triggered, job.links()))
                            .toList();
                    return enqueuer.insert(transaction, runs);
                });
    }

    /**
     * The same, inside the caller's transaction: the jobs exist if, and when, it commits (their
     * workers are woken at commit too).
     */
    public Uni<List<EnqueueResult>> submit(SqlClient transaction, String workspace, List<JobRequest> requests) {
        return check(transaction, workspace, requests)
                .flatMap(jobs -> enqueuer.insert(transaction, jobs))
                .onFailure(ParentEnded::is).transform(ParentEnded::problem);
    }

    /** One request checked alone: the job to insert, or the problems that keep it out. */
    record Checked(NewJob job, List<FieldProblem> problems) {
    }

    /**
     * Checks each request on its own (an {@code each}'s children: one bad child does not keep out
     * the others), in the caller's transaction. Parents are not looked at: the caller's are its own.
     */
    Uni<List<Checked>> checkEach(SqlClient client, String workspace, List<JobRequest> requests) {
        Set<String> remote = remoteKinds(requests);
        return kinds.named(client, workspace, remote).map(declared -> {
            List<Checked> checked = new ArrayList<>(requests.size());
            for (JobRequest request : requests) {
                List<FieldProblem> problems = new ArrayList<>();
                NewJob job = request == null ? null : check(workspace, request, declared, "job", problems);
                checked.add(new Checked(problems.isEmpty() ? job : null, problems));
            }
            return checked;
        });
    }

    /** The kinds no handler of this service runs: those the workspace must have declared for remote workers. */
    private Set<String> remoteKinds(List<JobRequest> requests) {
        Set<String> remote = new HashSet<>();
        for (JobRequest request : requests) {
            if (request != null && request.kind() != null && handlers.find(request.kind()).isEmpty()
                    && InputChecks.textProblem(request.kind()) == null) {
                remote.add(request.kind());
            }
        }
        return remote;
    }

    /** Inserts jobs already checked, in the caller's transaction. */
    Uni<List<EnqueueResult>> insertChecked(SqlClient transaction, List<NewJob> jobs) {
        return enqueuer.insert(transaction, jobs);
    }

    private Uni<List<NewJob>> check(SqlClient client, String workspace, List<JobRequest> requests) {
        List<FieldProblem> problems = new ArrayList<>();
        if (requests.size() > MAX_BATCH) {
            problems.add(new FieldProblem("jobs", "at most " + MAX_BATCH + " jobs in one batch, not " + requests.size()));
            return Uni.createFrom().failure(new InvalidJobException(problems));
        }
        Set<String> remote = remoteKinds(requests);
        return kinds.named(client, workspace, remote).flatMap(declared -> {
            List<NewJob> jobs = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                jobs.add(check(workspace, requests.get(i), declared, "jobs[" + i + "]", problems));
            }
            if (!problems.isEmpty()) {
                return Uni.createFrom().failure(new InvalidJobException(problems));
            }
            return checkSecrets(workspace, jobs)
                    .flatMap(known -> checkParents(client, workspace, jobs))
                    .replaceWith(jobs);
        });
    }

    /** Every {@code {{secret:NAME}}} of the jobs names a secret of the workspace, or the batch is refused. */
    private Uni<Void> checkSecrets(String workspace, List<NewJob> jobs) {
        Set<String> named = new HashSet<>();
        for (NewJob job : jobs) {
            named.addAll(SecretValues.namesIn(job.argsJson()));
            named.addAll(SecretValues.namesIn(job.links().callbackJson()));
            named.addAll(SecretValues.namesIn(job.links().thenJson()));
        }
        if (named.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return secrets.missing(workspace, named).map(missing -> {
            List<FieldProblem> problems = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                NewJob job = jobs.get(i);
                String prefix = "jobs[" + i + "].";
                unknownSecrets(problems, prefix + "args", job.argsJson(), missing);
                unknownSecrets(problems, prefix + "callback", job.links().callbackJson(), missing);
                unknownSecrets(problems, prefix + "then", job.links().thenJson(), missing);
            }
            if (!problems.isEmpty()) {
                throw new InvalidJobException(problems);
            }
            return null;
        });
    }

    private static void unknownSecrets(List<FieldProblem> problems, String field, String json, Set<String> missing) {
        for (String name : SecretValues.namesIn(json)) {
            if (missing.contains(name)) {
                problems.add(new FieldProblem(field, "names the secret " + name + ", which the workspace does not have"
                        + " (PUT /api/v1/secrets/" + name + ")"));
            }
        }
    }

    private NewJob check(String workspace, JobRequest request, Map<String, RemoteKind> declared, String prefix,
                         List<FieldProblem> problems) {
        List<FieldProblem> found = new ArrayList<>();
        if (request == null) {
            problems.add(new FieldProblem(prefix, "must be a job object"));
            return null;
        }
        String argsJson = null;
        RemoteKind remote = null;
        String kindProblem = InputChecks.textProblem(request.kind());
        InputChecks.json(found, "args", request.args());
        if (request.kind() == null || request.kind().isBlank()) {
            found.add(new FieldProblem("kind", "is required"));
        } else if (kindProblem != null) {
            found.add(new FieldProblem("kind", kindProblem));
        } else {
            Optional<JobHandler<?, ?>> handler = handlers.find(request.kind());
            // A kind a Java handler runs is that handler's, even if a workspace declared it before the handler came.
            remote = handler.isEmpty() ? declared.get(request.kind()) : null;
            if (remote != null) {
                argsJson = remoteArgs(remote, request.args(), found);
            } else if (handler.isEmpty()) {
                found.add(new FieldProblem("kind", "unknown kind '" + request.kind() + "': neither built in nor declared"
                        + " with PUT /api/v1/kinds/{kind}; built in: " + String.join(", ", handlers.kinds())));
            } else {
                HandlerRegistry.ArgsCheck args = handlers.check(handler.get(), request.args());
                args.problems().forEach(p -> found.add(p.under("args")));
                argsJson = request.args() == null || request.args().isNull() ? "{}" : request.args().toString();
            }
        }
        String queue = request.queue() == null ? NewJob.DEFAULT_QUEUE : request.queue();
        if (!QUEUE_NAME.matcher(queue).matches()) {
            found.add(new FieldProblem("queue", "must be 1 to 64 letters, digits or _ . : - (starting with a letter or digit)"));
        }
        int priority = request.priority() == null ? 0 : request.priority();
        if (priority < 0 || priority > 9) {
            found.add(new FieldProblem("priority", "must be between 0 and 9"));
        }
        int maxAttempts = request.maxAttempts() != null ? request.maxAttempts()
                : remote != null && remote.maxAttempts() != null ? remote.maxAttempts() : config.worker().defaultMaxAttempts();
        Integer timeoutSeconds = request.timeoutSeconds() != null || remote == null ? request.timeoutSeconds() : remote.timeoutSeconds();
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
            found.add(new FieldProblem("maxAttempts", "must be between 1 and " + MAX_ATTEMPTS));
        }
        if (request.timeoutSeconds() != null && (request.timeoutSeconds() < 1 || request.timeoutSeconds() > MAX_TIMEOUT_SECONDS)) {
            found.add(new FieldProblem("timeoutSeconds", "must be between 1 and " + MAX_TIMEOUT_SECONDS));
        }
        if (request.uniqueKey() != null && (request.uniqueKey().isEmpty() || request.uniqueKey().length() > MAX_TEXT)) {
            found.add(new FieldProblem("uniqueKey", "must be 1 to " + MAX_TEXT + " characters"));
        }
        InputChecks.text(found, "uniqueKey", request.uniqueKey());
        List<String> tags = request.tags() == null ? List.of() : request.tags();
        if (tags.size() > MAX_TAGS) {
            found.add(new FieldProblem("tags", "at most " + MAX_TAGS + " tags"));
        }
        for (int t = 0; t < tags.size(); t++) {
            String tag = tags.get(t);
            if (tag == null || tag.isEmpty() || tag.length() > MAX_TEXT) {
                found.add(new FieldProblem("tags[" + t + "]", "must be 1 to " + MAX_TEXT + " characters"));
            }
            InputChecks.text(found, "tags[" + t + "]", tag);
        }
        NewJob.Links links = PipelineChecks.check(request, found);
        found.forEach(p -> problems.add(p.under(prefix)));
        if (!found.isEmpty()) {
            return null;
        }
        return new NewJob(workspace, queue, request.kind(), argsJson, priority, request.runAt(), maxAttempts,
                timeoutSeconds, request.uniqueKey(), tags, request.parentId(), null, null, false, links);
    }

    /** A remote kind's arguments: a JSON object, valid against its schema when it has one. */
    private String remoteArgs(RemoteKind kind, JsonNode args, List<FieldProblem> found) {
        if (args != null && !args.isNull() && !args.isObject()) {
            found.add(new FieldProblem("args", "must be a JSON object"));
            return null;
        }
        JsonNode input = args == null || args.isNull() ? JsonNodeFactory.instance.objectNode() : args;
        if (kind.argsSchemaJson() != null) {
            found.addAll(schemas.validate(kind.argsSchemaJson(), input));
        }
        return input.toString();
    }

    private Uni<Void> checkParents(SqlClient client, String workspace, List<NewJob> jobs) {
        Set<UUID> parents = new HashSet<>();
        jobs.forEach(job -> {
            if (job.parentId() != null) {
                parents.add(job.parentId());
            }
        });
        if (parents.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery(Table.JOBS.sql("list_ids_in_workspace"))
                .execute(Tuple.of(workspace, parents.toArray(UUID[]::new)))
                .flatMap(rows -> {
                    Map<UUID, JobStatus> found = new HashMap<>();
                    rows.forEach(row -> found.put(row.getUUID("id"), JobStatus.fromWire(row.getString("status"))));
                    List<FieldProblem> problems = new ArrayList<>();
                    for (int i = 0; i < jobs.size(); i++) {
                        UUID parent = jobs.get(i).parentId();
                        if (parent != null && !found.containsKey(parent)) {
                            problems.add(new FieldProblem("jobs[" + i + "].parentId", "no job " + parent + " in this workspace"));
                        } else if (parent != null && found.get(parent).terminal()) {
                            problems.add(new FieldProblem("jobs[" + i + "].parentId", ParentEnded.message(parent, found.get(parent))));
                        }
                    }
                    return problems.isEmpty() ? Uni.createFrom().voidItem()
                            : Uni.createFrom().failure(new InvalidJobException(problems));
                });
    }
}
