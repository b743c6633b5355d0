package dev.harrier.worker;

import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.events.EventAppender;
import dev.harrier.events.EventDraft;
import dev.harrier.events.PendingWrites;
import dev.harrier.events.ProgressThrottle;
import dev.harrier.handler.ErrorTypes;
import dev.harrier.handler.HandlerRegistry;
import dev.harrier.handler.JobFailure;
import dev.harrier.handler.JobHandler;
import dev.harrier.queue.ChildJobs;
import dev.harrier.queue.ClaimedJob;
import dev.harrier.queue.InputChecks;
import dev.harrier.queue.ItemWriter;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.Outcome;
import dev.harrier.queue.RetryBackoffs;
import dev.harrier.secret.SecretCipher;
import dev.harrier.secret.SecretRefused;
import dev.harrier.secret.SecretStore;
import dev.harrier.secret.SecretValues;
import dev.harrier.time.Backoff;
import dev.harrier.time.RetryBackoff;
import dev.harrier.worker.RunningJob.StopReason;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.io.IOException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * Runs one attempt: finds the kind's handler, reads the arguments, calls the handler with a
 * timeout and the stop signal, and turns what happened into an {@link Outcome}. It never fails:
 * every failure of the handler becomes an outcome.
 */
final class JobRunner {

    private static final int MAX_ERROR_MESSAGE = 2000;

    private final HandlerRegistry handlers;
    private final SecretStore secretStore;
    private final EventAppender appender;
    private final ItemWriter items;
    private final ChildJobs children;
    private final Vertx vertx;
    private final EngineSettings settings;
    private final Clock clock;
    private volatile Instant deadline;
    private volatile boolean outOfTime;
    private final ExecutorService blockingExecutor = Executors.newVirtualThreadPerTaskExecutor();
    // Results are written at most as deep as enqueue lets args be: deeper ones could not be shown.
    private final ObjectMapper results;

    JobRunner(HandlerRegistry handlers, ObjectMapper mapper, EventAppender appender, ItemWriter items, ChildJobs children,
              Vertx vertx, EngineSettings settings, Clock clock, SecretStore secretStore) {
        this.secretStore = secretStore;
        this.children = children;
        this.handlers = handlers;
        this.clock = clock;
        this.results = mapper.copy();
        this.results.getFactory().setStreamWriteConstraints(
                StreamWriteConstraints.builder().maxNestingDepth(InputChecks.MAX_DEPTH).build());
        this.appender = appender;
        this.items = items;
        this.vertx = vertx;
        this.settings = settings;
    }

    /** Emits the attempt's outcome, after its last progress report and log line are stored. */
    Uni<Outcome> run(RunningJob running) {
        ClaimedJob job = running.job();
        Optional<JobHandler<?, ?>> handler = handlers.find(job.kind());
        if (handler.isEmpty()) {
            // Another instance (a newer deployment) may know the kind: fail the attempt, not the job.
            return loggedBeforeRun(job, failedAttempt(job, "no handler for kind '" + job.kind() + "' on this instance",
                    ErrorTypes.UNKNOWN_KIND, null));
        }
        return runWith(handler.get(), running);
    }

    /**
     * Opens the secrets the job's args name (in this attempt's memory only), then runs it. A secret
     * deleted since the job was enqueued fails it for good, before the handler runs.
     */
    private <A, R> Uni<Outcome> runWith(JobHandler<A, R> handler, RunningJob running) {
        ClaimedJob job = running.job();
        Set<String> names = SecretValues.namesIn(job.argsJson());
        if (names.isEmpty()) {
            return runWith(handler, running, SecretValues.NONE);
        }
        return secretStore.resolve(job.workspace(), names, null)
                .flatMap(secrets -> secrets.missing().isEmpty() ? runWith(handler, running, secrets)
                        : loggedBeforeRun(job, Outcome.failed(job, "the secrets " + String.join(", ", secrets.missing().stream().sorted().toList())
                                + " do not exist (deleted since the job was enqueued)", SecretRefused.UNAVAILABLE)))
                // A key that does not open them, or the database unreachable: this attempt fails, a later one may not.
                .onFailure().recoverWithItem(failure -> failedAttempt(job, "the secrets of the job could not be opened: "
                        + failure.getMessage(), failure instanceof SecretCipher.KeyProblem ? SecretRefused.UNAVAILABLE : ErrorTypes.CONNECTION,
                        null));
    }

    private <A, R> Uni<Outcome> runWith(JobHandler<A, R> handler, RunningJob running, SecretValues secrets) {
        ClaimedJob job = running.job();
        A args;
        try {
            args = handlers.read(handler, job.argsJson());
        } catch (Exception e) {
            return loggedBeforeRun(job, Outcome.failed(job, "arguments cannot be read: " + e.getMessage(), ErrorTypes.INVALID_ARGS));
        }
        Duration timeout = timeoutOf(handler, job);
        if (deadline != null && clock.instant().plus(timeout).isAfter(deadline)) {
            // Run once with --max-seconds: a job that might not end in time is not started.
            outOfTime = true;
            return Uni.createFrom().item(Outcome.handedBack(job, clock.instant()));
        }
        PendingWrites writes = new PendingWrites();
        ProgressThrottle progress = new ProgressThrottle(job.id(), appender, writes, vertx, settings.progressThrottle());
        RunningContext<A> context = new RunningContext<>(running, args, progress, writes, appender, items, children, secrets);
        running.limitTo(timeout);

        Uni<R> work = Uni.createFrom().deferred(() -> handler.handle(context));
        if (handler.blocking()) {
            work = work.runSubscriptionOn(blockingExecutor);
        }
        return untilStopped(work.map(item -> (Object) item), running)
                .map(result -> completed(job, result, secrets))
                .map(outcome -> outcome.status() == JobStatus.FAILED ? logged(context, outcome) : outcome)
                .onFailure().recoverWithItem(failure -> outcomeOf(context, running, failure))
                .call(outcome -> progress.flush());
    }

    /**
     * The handler's result, or {@link AttemptStopped} as soon as the attempt is stopped, which
     * cancels the handler's pipeline. The timeout is such a stop, by the engine's sweep: no timer
     * per attempt. (Uni.combine().any() and ifNoItem() did this with futures that threw five
     * exceptions, stack traces and all, and a scheduled task for every job: bench/README.md, queue.)
     */
    private static Uni<Object> untilStopped(Uni<Object> work, RunningJob running) {
        return Uni.createFrom().emitter(emitter -> {
            if (running.reason() != null) {
                // Stopped before it started (a shutdown began): the handler is not called at all.
                emitter.fail(new AttemptStopped(running.reason()));
                return;
            }
            Cancellable handler = work.subscribe().with(emitter::complete, emitter::fail);
            Runnable forget = running.onStop(reason -> {
                handler.cancel();
                emitter.fail(reason == StopReason.TIMED_OUT
                        ? new AttemptStopped(reason, "timed out after " + running.timeout().toSeconds() + " s")
                        : new AttemptStopped(reason));
            });
            emitter.onTermination(() -> {
                forget.run();
                handler.cancel();
            });
        });
    }

    private Duration timeoutOf(JobHandler<?, ?> handler, ClaimedJob job) {
        if (job.timeoutSeconds() != null) {
            return Duration.ofSeconds(job.timeoutSeconds());
        }
        return handler.timeout().orElse(settings.defaultTimeout());
    }

    /**
     * A result that cannot be written as JSON (nested deeper than the writer allows, a type
     * Jackson cannot write) would fail the same way on every attempt: the job fails for good.
     */
    private Outcome completed(ClaimedJob job, Object result, SecretValues secrets) {
        try {
            return Outcome.completed(job, secrets.redact(results.writeValueAsString(result)));
        } catch (Exception e) {
            return Outcome.failed(job, "the result cannot be written as JSON: " + e.getMessage(), ErrorTypes.INVALID_RESULT);
        }
    }

    private Outcome outcomeOf(RunningContext<?> context, RunningJob running, Throwable failure) {
        ClaimedJob job = running.job();
        if (failure instanceof AttemptStopped stop) {
            return switch (stop.reason) {
                case CANCELLED -> Outcome.cancelled(job);
                case SHUTDOWN, LEASE_LOST -> Outcome.handedBack(job, clock.instant());
                case TIMED_OUT -> logged(context, failedAttempt(job, stop.getMessage(), ErrorTypes.TIMEOUT, null));
            };
        }
        String message = context.secrets().redact(messageOf(failure));
        if (failure instanceof SecretRefused refused) {
            return logged(context, Outcome.failed(job, message, refused.type()));
        }
        if (failure instanceof JobFailure.Permanent permanent) {
            return logged(context, Outcome.failed(job, message, permanent.type()));
        }
        Duration delay = failure instanceof JobFailure.RetryAfter retry ? retry.delay() : null;
        return logged(context, failedAttempt(job, message, typeOf(failure), delay));
    }

    /** The {@code error.type} of a failure that did not say (see {@link ErrorTypes}). */
    static String typeOf(Throwable failure) {
        if (failure instanceof JobFailure typed) {
            return typed.type();
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException) {
                return ErrorTypes.TIMEOUT;
            }
            if (t instanceof IOException || t instanceof UnresolvedAddressException
                    || t instanceof HttpClosedException) {
                return ErrorTypes.CONNECTION;
            }
        }
        return ErrorTypes.HANDLER;
    }

    /** Retrying after {@code delay} (or the backoff), or failed when no attempt remains. */
    private Outcome failedAttempt(ClaimedJob job, String message, String type, Duration delay) {
        if (job.attempt() >= job.maxAttempts()) {
            return Outcome.failed(job, message, type);
        }
        Duration wait = delay != null ? delay : backoff(job);
        return Outcome.retrying(job, clock.instant().plus(wait), message, type);
    }

    /** The job's own retry schedule, else its kind's handler's, else the instance's for the kind (HARRIER_RETRY_*). */
    private Duration backoff(ClaimedJob job) {
        RetryBackoff own = RetryBackoffs.fromJson(job.backoffJson());
        if (own == null) {
            own = handlers.find(job.kind()).flatMap(JobHandler::backoff).orElse(null);
        }
        Backoff instance = settings.backoffFor(job.kind());
        return own == null ? instance.delayAfter(job.attempt())
                : own.delayAfter(job.attempt(), instance, ThreadLocalRandom.current()::nextDouble);
    }

    /** Earlier attempts' errors live in the job's log; the job row keeps only the latest. */
    private static Outcome logged(RunningContext<?> context, Outcome outcome) {
        context.log().error(logLine(outcome));
        return outcome;
    }

    /** The log line of an attempt that failed before its handler ran (no context to log through). */
    private Uni<Outcome> loggedBeforeRun(ClaimedJob job, Outcome outcome) {
        String data = new JsonObject().put("level", "error").put("message", logLine(outcome)).encode();
        return appender.append(new EventDraft(job.id(), "log", data)).replaceWith(outcome);
    }

    /** Every failed attempt's line in the job's log, so that earlier attempts' errors outlive the job row's latest. */
    private static String logLine(Outcome outcome) {
        String next = switch (outcome.status()) {
            case RETRYING -> "; retrying at " + outcome.runAt();
            case FAILED -> "; no retry";
            default -> "";
        };
        return "attempt " + outcome.attempt() + " failed: " + outcome.errorMessage() + next;
    }

    private static String messageOf(Throwable failure) {
        String message = failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
        return message.length() > MAX_ERROR_MESSAGE ? message.substring(0, MAX_ERROR_MESSAGE) + "…" : message;
    }

    void close() {
        blockingExecutor.shutdown();
    }

    void deadline(Instant at) {
        deadline = at;
    }

    boolean outOfTime() {
        return outOfTime;
    }

    /** The stop signal as a failure, so that it wins the race against the handler. */
    private static final class AttemptStopped extends RuntimeException {
        private final StopReason reason;

        AttemptStopped(StopReason reason) {
            this(reason, reason.name().toLowerCase());
        }

        AttemptStopped(StopReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
