package dev.harrier.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.handler.ErrorTypes;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobFailure;
import dev.harrier.handler.JobHandler;
import dev.harrier.http.AddressGuard;
import dev.harrier.http.OutboundHttp;
import dev.harrier.http.OutboundReply;
import dev.harrier.http.OutboundRequest;
import dev.harrier.http.RequestSigner;
import dev.harrier.http.RetryPolicy;
import dev.harrier.limit.SharedLimits;
import dev.harrier.signing.SigningSecrets;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code http} kind: one request, for webhooks and callbacks. 2xx and 3xx complete the job;
 * 408, 425, 429 and 5xx, timeouts and connection errors fail the attempt (retried with backoff, or
 * after {@code Retry-After}); other 4xx and refused targets fail the job at once. Every request is
 * signed with the workspace's own secret ({@link SigningSecrets}): as {@code http}, or as
 * {@code callback} for the deliveries of callbacks (tagged {@code callback:<job id>}).
 */
@ApplicationScoped
public class HttpKind implements JobHandler<HttpKind.Args, HttpKind.Result> {

    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    static final int MAX_TIMEOUT_MS = 300_000;
    static final int BODY_EXCERPT = 500;
    /** The tag of a callback's delivery: {@code callback:<job id>}; it is signed as a callback. */
    public static final String CALLBACK_TAG = "callback:";
    /** The tag of a dataset's notify delivery: {@code notify:<dataset>}; it is signed as a notify. */
    public static final String NOTIFY_TAG = "notify:";

    /**
     * {@code {"url", "method", "headers", "body", "form", "timeoutMs"}}: {@code body} is sent as
     * JSON, or as it is when it is a string and {@code headers} give a Content-Type that is not
     * JSON; {@code form} is sent form-encoded ({@link RequestBody}).
     */
    public record Args(String url, String method, Map<String, String> headers, JsonNode body, JsonNode form, Integer timeoutMs,
                       String limit) {
    }

    /** {@code {"status", "headers", "body", "durationMs"}}; JSON bodies parsed, others as text. */
    public record Result(int status, Map<String, String> headers, JsonNode body, long durationMs, boolean truncated) {
    }

    private final OutboundHttp http;
    private final ObjectMapper mapper;
    private final SigningSecrets signing;
    private final Clock clock;
    private final SharedLimits limits;

    public HttpKind(OutboundHttp http, ObjectMapper mapper, SigningSecrets signing, Clock clock, SharedLimits limits) {
        this.http = http;
        this.limits = limits;
        this.clock = clock;
        this.mapper = mapper;
        this.signing = signing;
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public List<FieldProblem> validate(Args args) {
        List<FieldProblem> problems = new ArrayList<>();
        ArgChecks.httpUrl(problems, "url", args.url());
        if (args.method() != null && !METHODS.contains(args.method().toUpperCase())) {
            problems.add(new FieldProblem("method", "must be one of " + METHODS));
        }
        ArgChecks.range(problems, "timeoutMs", args.timeoutMs(), 1, MAX_TIMEOUT_MS);
        ArgChecks.headers(problems, "headers", args.headers());
        RequestBody.check(problems, args.body(), args.form(), args.headers(), args.method());
        ArgChecks.limitName(problems, "limit", args.limit());
        return problems;
    }

    @Override
    public Uni<Result> handle(JobContext<Args> context) {
        Args args = context.args();
        RequestBody request = RequestBody.of(args.body(), args.form(), args.headers());
        byte[] body = request.bytes();
        String method = args.method() == null ? (body == null ? "GET" : "POST") : args.method().toUpperCase();
        Map<String, String> headers = new LinkedHashMap<>(args.headers() == null ? Map.of() : args.headers());
        if (request.contentType() != null && RequestBody.contentType(headers) == null) {
            headers.put("Content-Type", request.contentType());
        }
        String purpose = context.tags().stream().anyMatch(tag -> tag.startsWith(CALLBACK_TAG)) ? RequestSigner.CALLBACK
                : context.tags().stream().anyMatch(tag -> tag.startsWith(NOTIFY_TAG)) ? RequestSigner.NOTIFY : RequestSigner.HTTP;
        Duration timeout = Duration.ofMillis(args.timeoutMs() == null ? 10_000 : args.timeoutMs());
        URI url = URI.create(args.url());
        return signing.get(context.workspace())
                // Signed as the receiver gets it: with the secrets it names filled in (refused here
                // already when one may not go to the target).
                .invoke(secrets -> headers.put(RequestSigner.HEADER,
                        RequestSigner.sign(secrets.signing(), purpose, clock.instant().getEpochSecond(),
                                OutboundHttp.fill(context.secrets(), new OutboundRequest(method, url, headers, body, timeout), url.getHost()))))
                .flatMap(secrets -> limits.run(context.workspace(), args.limit(),
                        () -> http.send(new OutboundRequest(method, url, headers, body, timeout,
                                context.secrets()))))
                .onFailure(AddressGuard.Refused.class).transform(e -> JobFailure.permanent(e.getMessage(), e).ofType(ErrorTypes.REFUSED))
                .map(this::outcome);
    }

    private Result outcome(OutboundReply reply) {
        int status = reply.status();
        if (RetryPolicy.retryable(reply)) {
            Duration after = RetryPolicy.retryAfter(reply, clock);
            String message = failureMessage(reply);
            throw (after != null ? JobFailure.retryAfter(after, message) : JobFailure.retry(message)).ofType(ErrorTypes.HTTP_STATUS);
        }
        if (status >= 400) {
            throw JobFailure.permanent(failureMessage(reply)).ofType(ErrorTypes.HTTP_STATUS);
        }
        return new Result(status, reply.headers(), parse(reply), reply.duration().toMillis(), reply.truncated());
    }

    private JsonNode parse(OutboundReply reply) {
        String text = new String(reply.body(), StandardCharsets.UTF_8);
        String type = reply.header("Content-Type");
        if (!reply.truncated() && type != null && type.contains("json")) {
            try {
                return mapper.readTree(text);
            } catch (Exception e) {
                // Not JSON after all: kept as text.
            }
        }
        return mapper.getNodeFactory().textNode(text);
    }

    /**
     * "HTTP 500 from host: <the start of the reply's body>": what the server said is often the only
     * clue ({@code {"error": "jobspy crashed for user 7"}}), so the error keeps up to
     * {@link #BODY_EXCERPT} characters of it, on one line.
     */
    static String failureMessage(OutboundReply reply) {
        String message = "HTTP " + reply.status() + " from " + reply.url().getHost();
        String body = new String(reply.body(), 0, Math.min(reply.body().length, BODY_EXCERPT * 4), StandardCharsets.UTF_8)
                .replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        if (body.isEmpty()) {
            return message;
        }
        return message + ": " + (body.length() > BODY_EXCERPT ? body.substring(0, BODY_EXCERPT) + "…" : body);
    }
}
