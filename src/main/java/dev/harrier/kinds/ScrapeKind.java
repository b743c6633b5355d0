package dev.harrier.kinds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.dataset.DatasetNames;
import dev.harrier.dataset.SyncRequest;
import dev.harrier.dataset.Syncs;
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
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code scrape} kind: GET many URLs with bounded concurrency, per-host concurrency and a
 * per-host rate, retries with backoff (and {@code Retry-After}), and extraction. Every URL becomes
 * an item; one that keeps failing is a failed item and fails neither the job nor its siblings. A
 * retried attempt skips the items that already have a result; a cancelled job starts no new request.
 */
@ApplicationScoped
public class ScrapeKind implements JobHandler<ScrapeKind.Args, ScrapeKind.Result> {

    static final int MAX_ITEMS = 100_000;
    static final int MAX_CONCURRENCY = 1000;

    public record Args(List<String> urls, String urlTemplate, List<Map<String, Object>> params, Integer concurrency,
                       Integer perHostConcurrency, FanOut.Rate ratePerHost, Integer timeoutMs, Integer retries,
                       Map<String, String> headers, Extractor.Spec extract, Dataset dataset, String limit) {
    }

    /**
     * {@code {"name", "key", "expire", "notify"}}: at the end of the job its records are synced into
     * the dataset ({@link Syncs}); a scrape with a failed URL never expires records.
     */
    public record Dataset(String name, List<String> key, Boolean expire, @JsonProperty("notify") SyncKind.Notify delivery) {
    }

    /** {@code dataset}: the sync's result, when the scrape has a dataset. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(int total, int ok, int failed, int records, SyncKind.Result dataset) {
    }

    private final FanOut fanOut;
    private final Extractor extractor;
    private final Syncs syncs;

    public ScrapeKind(OutboundHttp http, ObjectMapper mapper, Clock clock, Syncs syncs, SharedLimits limits) {
        this.fanOut = new FanOut(http, clock, limits);
        this.extractor = new Extractor(mapper);
        this.syncs = syncs;
    }

    @Override
    public String kind() {
        return "scrape";
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public List<FieldProblem> validate(Args args) {
        List<FieldProblem> problems = new ArrayList<>();
        boolean list = args.urls() != null;
        boolean template = args.urlTemplate() != null;
        if (list == template) {
            problems.add(new FieldProblem("urls", "give either urls or urlTemplate with params"));
        } else if (list) {
            if (args.urls().size() > MAX_ITEMS) {
                problems.add(new FieldProblem("urls", "at most " + MAX_ITEMS + " URLs"));
            }
            for (int i = 0; i < Math.min(args.urls().size(), MAX_ITEMS); i++) {
                ArgChecks.httpUrl(problems, "urls[" + i + "]", args.urls().get(i));
            }
        } else if (args.params() == null || args.params().isEmpty() || args.params().size() > MAX_ITEMS) {
            problems.add(new FieldProblem("params", "must list 1 to " + MAX_ITEMS + " parameter sets"));
        }
        ArgChecks.range(problems, "concurrency", args.concurrency(), 1, MAX_CONCURRENCY);
        ArgChecks.range(problems, "perHostConcurrency", args.perHostConcurrency(), 1, MAX_CONCURRENCY);
        ArgChecks.range(problems, "timeoutMs", args.timeoutMs(), 1, 300_000);
        ArgChecks.range(problems, "retries", args.retries(), 0, 10);
        ArgChecks.headers(problems, "headers", args.headers());
        if (args.ratePerHost() != null) {
            ArgChecks.range(problems, "ratePerHost.requests", args.ratePerHost().requests(), 1, 10_000);
            ArgChecks.range(problems, "ratePerHost.perSeconds", args.ratePerHost().perSeconds(), 1, 3600);
        }
        if (args.extract() != null && args.extract().type() != null && !Set.of("html", "json", "raw").contains(args.extract().type())) {
            problems.add(new FieldProblem("extract.type", "must be html, json or raw"));
        }
        ArgChecks.limitName(problems, "limit", args.limit());
        if (args.dataset() != null) {
            DatasetNames.check(problems, "dataset.name", args.dataset().name());
            SyncKind.checkKey(problems, "dataset.key", args.dataset().key());
            SyncKind.checkNotify(problems, "dataset.notify", args.dataset().delivery());
        }
        return problems;
    }

    @Override
    public Uni<Result> handle(JobContext<Args> context) {
        Args args = context.args();
        List<String> urls = urls(args);
        FanOut.Settings settings = new FanOut.Settings(args.concurrency() == null ? 32 : args.concurrency(),
                args.perHostConcurrency() == null ? 4 : args.perHostConcurrency(), args.ratePerHost(),
                args.retries() == null ? 2 : args.retries(), args.limit());
        Map<String, String> headers = args.headers() == null ? Map.of() : args.headers();
        Duration timeout = Duration.ofMillis(args.timeoutMs() == null ? 15_000 : args.timeoutMs());
        return fanOut.run(context, urls.size(), settings, urls::get,
                        index -> new OutboundRequest("GET", URI.create(urls.get(index)), headers, null, timeout,
                                context.secrets()),
                        (index, reply, tries, ms) -> outcome(args, index, urls.get(index), reply, tries, ms))
                .flatMap(counts -> {
                    Result scraped = new Result(urls.size(), counts.ok(), counts.failed(), (int) counts.okRecords(), null);
                    if (args.dataset() == null) {
                        return Uni.createFrom().item(scraped);
                    }
                    Dataset dataset = args.dataset();
                    // A partial scrape never expires: a record missing from it may be on the page that failed.
                    SyncRequest request = new SyncRequest(context.workspace(), context.jobId(), dataset.name(), dataset.key(), null,
                            dataset.expire() == null || dataset.expire(), counts.failed() > 0, 0.5, false,
                            SyncKind.notify(dataset.delivery()));
                    return syncs.syncItems(request).map(synced -> new Result(scraped.total(), scraped.ok(), scraped.failed(),
                            scraped.records(), SyncKind.Result.of(synced)));
                });
    }

    private ItemResult outcome(Args args, int index, String input, OutboundReply reply, int tries, long ms) {
        if (StatusClass.of(reply.status()) != StatusClass.SUCCESS) {
            return new ItemResult(index, input, false, reply.status(), tries, ms, null, "HTTP " + reply.status());
        }
        JsonNode extracted = extractor.extract(args.extract(), reply.body(), input);
        return new ItemResult(index, input, true, reply.status(), tries, ms, extracted.toString(), null);
    }

    static List<String> urls(Args args) {
        if (args.urls() != null) {
            return args.urls();
        }
        List<String> urls = new ArrayList<>(args.params().size());
        for (Map<String, Object> set : args.params()) {
            String url = args.urlTemplate();
            for (Map.Entry<String, Object> param : set.entrySet()) {
                url = url.replace("{" + param.getKey() + "}",
                        URLEncoder.encode(String.valueOf(param.getValue()), StandardCharsets.UTF_8));
            }
            urls.add(url);
        }
        return urls;
    }
}
