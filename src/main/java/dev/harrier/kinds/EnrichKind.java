package dev.harrier.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.ItemResult;
import dev.harrier.handler.JobContext;
import dev.harrier.handler.JobHandler;
import dev.harrier.http.OutboundHttp;
import dev.harrier.http.OutboundReply;
import dev.harrier.http.OutboundRequest;
import dev.harrier.http.StatusClass;
import dev.harrier.limit.SharedLimits;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code enrich} kind: each record is sent as the JSON body to the endpoint, and the JSON reply
 * is merged into the record under {@code mergeAs}; each record is an item whose data is the merged
 * record. Concurrency, the rate (for the endpoint's host), retries and resumption as for scrape.
 */
@ApplicationScoped
public class EnrichKind implements JobHandler<EnrichKind.Args, EnrichKind.Result> {

    public record Endpoint(String url, String method, Map<String, String> headers) {
    }

    public record Args(List<JsonNode> records, Endpoint endpoint, Integer concurrency, FanOut.Rate rate, String mergeAs,
                       Integer timeoutMs, Integer retries, String limit) {
    }

    public record Result(int total, int ok, int failed) {
    }

    private final FanOut fanOut;
    private final ObjectMapper mapper;

    public EnrichKind(OutboundHttp http, ObjectMapper mapper, Clock clock, SharedLimits limits) {
        this.fanOut = new FanOut(http, clock, limits);
        this.mapper = mapper;
    }

    @Override
    public String kind() {
        return "enrich";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public List<FieldProblem> validate(Args args) {
        List<FieldProblem> problems = new ArrayList<>();
        if (args.records() == null || args.records().isEmpty() || args.records().size() > ScrapeKind.MAX_ITEMS) {
            problems.add(new FieldProblem("records", "must list 1 to " + ScrapeKind.MAX_ITEMS + " records"));
        } else {
            for (int i = 0; i < args.records().size(); i++) {
                if (args.records().get(i) == null || !args.records().get(i).isObject()) {
                    problems.add(new FieldProblem("records[" + i + "]", "must be an object"));
                }
            }
        }
        ArgChecks.httpUrl(problems, "endpoint.url", args.endpoint() == null ? null : args.endpoint().url());
        if (args.endpoint() != null && args.endpoint().method() != null && !HttpKind.METHODS.contains(args.endpoint().method().toUpperCase())) {
            problems.add(new FieldProblem("endpoint.method", "must be one of " + HttpKind.METHODS));
        }
        ArgChecks.range(problems, "concurrency", args.concurrency(), 1, ScrapeKind.MAX_CONCURRENCY);
        ArgChecks.headers(problems, "endpoint.headers", args.endpoint() == null ? null : args.endpoint().headers());
        if (args.rate() != null && (args.rate().requests() < 1 || args.rate().perSeconds() < 1)) {
            problems.add(new FieldProblem("rate", "requests and perSeconds must be at least 1"));
        }
        ArgChecks.range(problems, "retries", args.retries(), 0, 10);
        ArgChecks.range(problems, "timeoutMs", args.timeoutMs(), 1, HttpKind.MAX_TIMEOUT_MS);
        ArgChecks.limitName(problems, "limit", args.limit());
        return problems;
    }

    @Override
    public Uni<Result> handle(JobContext<Args> context) {
        Args args = context.args();
        List<JsonNode> records = args.records();
        int concurrency = args.concurrency() == null ? 8 : args.concurrency();
        FanOut.Settings settings = new FanOut.Settings(concurrency, concurrency, args.rate(), args.retries() == null ? 3 : args.retries(),
                args.limit());
        URI endpoint = URI.create(args.endpoint().url());
        String method = args.endpoint().method() == null ? "POST" : args.endpoint().method().toUpperCase();
        Map<String, String> headers = new LinkedHashMap<>(args.endpoint().headers() == null ? Map.of() : args.endpoint().headers());
        headers.putIfAbsent("Content-Type", "application/json");
        Duration timeout = Duration.ofMillis(args.timeoutMs() == null ? 10_000 : args.timeoutMs());
        String mergeAs = args.mergeAs() == null || args.mergeAs().isBlank() ? "enrichment" : args.mergeAs();
        return fanOut.run(context, records.size(), settings, index -> records.get(index).toString(),
                        index -> new OutboundRequest(method, endpoint, headers,
                                records.get(index).toString().getBytes(StandardCharsets.UTF_8), timeout, context.secrets()),
                        (index, reply, tries, ms) -> merge(records.get(index), mergeAs, index, reply, tries, ms))
                .map(counts -> new Result(records.size(), counts.ok(), counts.failed()));
    }

    private ItemResult merge(JsonNode record, String mergeAs, int index, OutboundReply reply, int tries, long ms) {
        if (StatusClass.of(reply.status()) != StatusClass.SUCCESS) {
            return new ItemResult(index, record.toString(), false, reply.status(), tries, ms, null, HttpKind.failureMessage(reply));
        }
        ObjectNode merged = record.deepCopy();
        try {
            merged.set(mergeAs, mapper.readTree(reply.body()));
        } catch (IOException e) {
            return new ItemResult(index, record.toString(), false, reply.status(), tries, ms, null, "the reply is not JSON");
        }
        return new ItemResult(index, record.toString(), true, reply.status(), tries, ms, merged.toString(), null);
    }
}
