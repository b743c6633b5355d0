package dev.harrier.kinds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harrier.dataset.DatasetNames;
import dev.harrier.dataset.Snapshots;
import dev.harrier.dataset.SyncRequest;
import dev.harrier.dataset.SyncResult;
import dev.harrier.dataset.Syncs;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code sync} kind: a snapshot of records ({@code records}, or {@code recordsFrom} read as an
 * {@code each}'s {@code itemsFrom}) compared with a dataset by its {@code key} ({@link Syncs}).
 * Result {@code {"dataset", "total", "new", "active", "changed", "expired", "duplicates", "version"}}.
 * With {@code notify}, the changes are POSTed by child jobs, and the job waits for them.
 */
@ApplicationScoped
public class SyncKind implements JobHandler<SyncKind.Args, SyncKind.Result> {

    static final int MAX_RECORDS = 1_000_000;
    static final int MAX_KEY_FIELDS = 10;
    static final int MAX_NOTIFY_BATCH = 1_000;
    static final Set<String> CHANGES = Set.of("new", "changed", "expired");

    /** Where a sync's changes are POSTed. */
    public record Notify(String url, Map<String, String> headers, List<String> on, Integer batch) {
    }

    public record Args(String dataset, List<String> key, JsonNode records, ItemSource.From recordsFrom, JsonNode partition,
                       Boolean expire, Double maxExpireRatio, Boolean force,
                       @JsonProperty("notify") Notify delivery) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(String dataset, long total, @JsonProperty("new") long newRecords, long active, long changed,
                         long expired, long duplicates, long version, Boolean expireSkipped) {

        static Result of(SyncResult r) {
            return new Result(r.dataset(), r.total(), r.newRecords(), r.active(), r.changed(), r.expired(), r.duplicates(),
                    r.version(), r.expireSkipped() ? Boolean.TRUE : null);
        }
    }

    private final Syncs syncs;
    private final ItemSource source;

    public SyncKind(Syncs syncs, ItemSource source) {
        this.syncs = syncs;
        this.source = source;
    }

    @Override
    public String kind() {
        return "sync";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public List<FieldProblem> validate(Args args) {
        List<FieldProblem> problems = new ArrayList<>();
        DatasetNames.check(problems, "dataset", args.dataset());
        checkKey(problems, "key", args.key());
        boolean inline = args.records() != null && !args.records().isNull();
        if (inline == (args.recordsFrom() != null)) {
            problems.add(new FieldProblem("records", "exactly one of records and recordsFrom is required"));
        }
        if (inline && !args.records().isArray()) {
            problems.add(new FieldProblem("records", "must be a list of records (JSON objects)"));
        } else if (inline) {
            for (int i = 0; i < args.records().size() && problems.size() < 20; i++) {
                JsonNode record = args.records().get(i);
                if (!record.isObject()) {
                    problems.add(new FieldProblem("records[" + i + "]", "must be a JSON object"));
                } else if (Snapshots.canonical(record).length() > Snapshots.MAX_RECORD_BYTES) {
                    problems.add(new FieldProblem("records[" + i + "]", "must be at most " + Snapshots.MAX_RECORD_BYTES + " bytes"));
                }
            }
        }
        if (args.recordsFrom() != null) {
            source.validate(args.recordsFrom(), problems, "recordsFrom");
        }
        checkPartition(problems, args.partition());
        if (args.maxExpireRatio() != null && (args.maxExpireRatio() < 0 || args.maxExpireRatio() > 1)) {
            problems.add(new FieldProblem("maxExpireRatio", "must be between 0 and 1"));
        }
        checkNotify(problems, "notify", args.delivery());
        return problems;
    }

    static void checkKey(List<FieldProblem> problems, String field, List<String> key) {
        if (key == null || key.isEmpty() || key.size() > MAX_KEY_FIELDS) {
            problems.add(new FieldProblem(field, "must name 1 to " + MAX_KEY_FIELDS + " fields"));
            return;
        }
        for (int i = 0; i < key.size(); i++) {
            if (key.get(i) == null || key.get(i).isBlank() || key.get(i).length() > 100) {
                problems.add(new FieldProblem(field + "[" + i + "]", "must be a field name of 1 to 100 characters"));
            }
        }
    }

    static void checkPartition(List<FieldProblem> problems, JsonNode partition) {
        if (partition != null && !partition.isNull() && !partition.isObject()) {
            problems.add(new FieldProblem("partition", "must be an object of field values, like {\"company\": \"Amazon\"}"));
        }
    }

    static void checkNotify(List<FieldProblem> problems, String field, Notify notify) {
        if (notify == null) {
            return;
        }
        ArgChecks.httpUrl(problems, field + ".url", notify.url());
        ArgChecks.headers(problems, field + ".headers", notify.headers());
        if (notify.on() != null) {
            if (notify.on().isEmpty()) {
                problems.add(new FieldProblem(field + ".on", "must name new, changed or expired"));
            }
            for (int i = 0; i < notify.on().size(); i++) {
                if (!CHANGES.contains(notify.on().get(i))) {
                    problems.add(new FieldProblem(field + ".on[" + i + "]", "must be new, changed or expired"));
                }
            }
        }
        ArgChecks.range(problems, field + ".batch", notify.batch(), 1, MAX_NOTIFY_BATCH);
    }

    static SyncRequest.Notify notify(Notify notify) {
        return notify == null ? null : new SyncRequest.Notify(notify.url(), notify.headers(),
                notify.on() == null ? List.of("new") : notify.on(), notify.batch() == null ? 100 : notify.batch());
    }

    @Override
    public Uni<Result> handle(JobContext<Args> context) {
        Args args = context.args();
        SyncRequest request = new SyncRequest(context.workspace(), context.jobId(), args.dataset(), args.key(), args.partition(),
                args.expire() == null || args.expire(), false, args.maxExpireRatio() == null ? 0.5 : args.maxExpireRatio(),
                Boolean.TRUE.equals(args.force()), notify(args.delivery()));
        if (args.records() != null && !args.records().isNull()) {
            return syncs.sync(request, Snapshots.of(args.records())).map(Result::of);
        }
        return source.read(args.recordsFrom(), MAX_RECORDS, context.secrets())
                .flatMap(items -> syncs.sync(request, (tx, size) -> items.next(size))
                        .eventually(items::close))
                .map(Result::of);
    }
}
