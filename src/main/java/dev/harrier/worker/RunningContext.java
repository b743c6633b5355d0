package dev.harrier.worker;

import dev.harrier.events.EventAppender;
import dev.harrier.events.EventDraft;
import dev.harrier.events.PendingWrites;
import dev.harrier.events.ProgressThrottle;
import dev.harrier.handler.ChildJob;
import dev.harrier.handler.ChildJobResult;
import dev.harrier.handler.ItemCounts;
import dev.harrier.handler.ItemResult;
import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobLog;
import dev.harrier.handler.ProgressReporter;
import dev.harrier.queue.ChildJobs;
import dev.harrier.queue.ItemWriter;
import dev.harrier.secret.SecretValues;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The {@link JobContext} of one attempt: progress, log and the stop signal of its {@link RunningJob}. */
final class RunningContext<A> implements JobContext<A>, JobLog {

    private static final int MAX_LOG_MESSAGE = 8192;

    private final RunningJob running;
    private final A args;
    private final ProgressThrottle progress;
    private final PendingWrites writes;
    private final EventAppender appender;
    private final ItemWriter items;
    private final ChildJobs children;
    private final SecretValues secrets;
    private final ProgressReporter redactedProgress;

    RunningContext(RunningJob running, A args, ProgressThrottle progress, PendingWrites writes, EventAppender appender,
                   ItemWriter items, ChildJobs children, SecretValues secrets) {
        this.children = children;
        this.secrets = secrets;
        this.redactedProgress = secrets.isEmpty() ? progress
                : (step, details, done, total) -> progress.report(secrets.redact(step), secrets.redact(details), done, total);
        this.running = running;
        this.args = args;
        this.progress = progress;
        this.writes = writes;
        this.appender = appender;
        this.items = items;
    }

    @Override
    public Uni<Void> recordItem(ItemResult recorded) {
        ItemResult item = secrets.isEmpty() ? recorded : new ItemResult(recorded.index(), secrets.redact(recorded.input()),
                recorded.ok(), recorded.httpStatus(), recorded.attempts(), recorded.durationMs(), secrets.redact(recorded.dataJson()),
                secrets.redact(recorded.error()));
        String event = new JsonObject().put("index", item.index()).put("status", item.ok() ? "ok" : "failed")
                .put("httpStatus", item.httpStatus()).encode();
        // The item row first, then its event: a client that sees the event can read the row.
        Uni<Void> write = items.save(jobId(), item)
                .call(saved -> appender.append(new EventDraft(jobId(), "item", event)))
                .memoize().indefinitely();
        writes.track(write);
        return write;
    }

    @Override
    public Uni<Set<Integer>> finishedItems() {
        return items.finished(jobId());
    }

    @Override
    public Uni<ItemCounts> itemCounts() {
        return writes.idle().flatMap(idle -> items.counts(jobId()));
    }

    @Override
    public Uni<List<ChildJobResult>> enqueueChildren(List<ChildJob> jobs) {
        return children.enqueue(workspace(), jobId(), jobs, null);
    }

    @Override
    public Uni<List<ChildJobResult>> enqueueChildren(List<ChildJob> jobs, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, not " + concurrency);
        }
        return children.enqueue(workspace(), jobId(), jobs, concurrency);
    }

    @Override
    public String workspace() {
        return running.job().workspace();
    }

    @Override
    public List<String> tags() {
        return running.job().tags();
    }

    @Override
    public UUID jobId() {
        return running.job().id();
    }

    @Override
    public String kind() {
        return running.job().kind();
    }

    @Override
    public int attempt() {
        return running.job().attempt();
    }

    @Override
    public int maxAttempts() {
        return running.job().maxAttempts();
    }

    @Override
    public A args() {
        return args;
    }

    @Override
    public ProgressReporter progress() {
        return redactedProgress;
    }

    @Override
    public SecretValues secrets() {
        return secrets;
    }

    @Override
    public JobLog log() {
        return this;
    }

    @Override
    public boolean isCancelled() {
        return running.reason() != null;
    }

    @Override
    public Uni<Void> cancelled() {
        return running.whenStopped().replaceWithVoid();
    }

    @Override
    public void append(String level, String message) {
        String text = message == null ? "" : secrets.redact(message);
        if (text.length() > MAX_LOG_MESSAGE) {
            text = text.substring(0, MAX_LOG_MESSAGE) + "…";
        }
        String data = new JsonObject().put("level", level).put("message", text).encode();
        writes.track(appender.append(new EventDraft(jobId(), "log", data)));
    }
}
