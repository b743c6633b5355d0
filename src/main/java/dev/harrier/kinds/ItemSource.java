package dev.harrier.kinds;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.filter.FilteringParserDelegate;
import com.fasterxml.jackson.core.filter.JsonPointerBasedFilter;
import com.fasterxml.jackson.core.filter.TokenFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.config.HarrierConfig;
import dev.harrier.handler.ErrorTypes;
import dev.harrier.handler.FieldProblem;
import dev.harrier.handler.JobFailure;
import dev.harrier.http.AddressGuard;
import dev.harrier.http.Download;
import dev.harrier.http.OutboundHttp;
import dev.harrier.http.OutboundReply;
import dev.harrier.http.OutboundRequest;
import dev.harrier.http.RetryPolicy;
import dev.harrier.secret.SecretValues;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Reads the items of an {@code each} from the app ({@code itemsFrom}): one request (GET, or POST
 * with a JSON {@code body}) whose JSON reply holds the array at the JSON Pointer {@code pointer}
 * (default: the whole reply). The outbound address rules apply. The reply is written to a temporary
 * file as it streams in, up to {@code HARRIER_SOURCE_MAX_BYTES} (a 100 MB source costs the heap a
 * few buffers), and its items are parsed from the file a batch at a time as they are used
 * ({@link Items}), so that only one batch of them is ever a tree in memory. A reply over
 * the limit, not JSON, or without an array at the pointer fails the attempt for good; a status the
 * http kind would retry (408, 429, 5xx) or a network error fails the attempt, to be retried.
 */
@ApplicationScoped
public class ItemSource {

    static final Set<String> METHODS = Set.of("GET", "POST");
    static final int TIMEOUT_MS = 60_000;

    /** {@code {"url", "method", "headers", "body", "pointer"}}. */
    public record From(String url, String method, Map<String, String> headers, JsonNode body, String pointer) {
    }

    private final OutboundHttp http;
    private final ObjectMapper mapper;
    private final int maxBytes;
    private final Clock clock;

    public ItemSource(OutboundHttp http, ObjectMapper mapper, HarrierConfig config, Clock clock) {
        this.http = http;
        this.mapper = mapper;
        this.maxBytes = config.source().maxBytes();
        this.clock = clock;
    }

    void validate(From from, List<FieldProblem> problems) {
        validate(from, problems, "itemsFrom");
    }

    void validate(From from, List<FieldProblem> problems, String field) {
        ArgChecks.httpUrl(problems, field + ".url", from.url());
        if (from.method() != null && !METHODS.contains(from.method().toUpperCase())) {
            problems.add(new FieldProblem(field + ".method", "must be GET or POST"));
        }
        if (from.body() != null && !from.body().isNull() && from.method() != null && !from.method().equalsIgnoreCase("POST")) {
            problems.add(new FieldProblem(field + ".body", "is sent with POST only"));
        }
        ArgChecks.headers(problems, field + ".headers", from.headers());
        if (from.pointer() != null && !from.pointer().isEmpty()) {
            try {
                JsonPointer.compile(from.pointer());
            } catch (IllegalArgumentException e) {
                problems.add(new FieldProblem(field + ".pointer", "is not a JSON Pointer (like /users): " + e.getMessage()));
            }
        }
    }

    /**
     * The items of the source, at most {@code max} of them (more fail the attempt for good). The
     * caller closes them ({@link Items#close}: the downloaded file is deleted).
     */
    Uni<Items> read(From from, int max, SecretValues secrets) {
        boolean post = from.method() != null ? from.method().equalsIgnoreCase("POST") : from.body() != null && !from.body().isNull();
        byte[] body = null;
        Map<String, String> headers = new LinkedHashMap<>(from.headers() == null ? Map.of() : from.headers());
        if (post && from.body() != null && !from.body().isNull()) {
            body = from.body().toString().getBytes(StandardCharsets.UTF_8);
            headers.putIfAbsent("Content-Type", "application/json");
        }
        headers.putIfAbsent("Accept", "application/json");
        OutboundRequest request = new OutboundRequest(post ? "POST" : "GET", URI.create(from.url()), headers, body,
                Duration.ofMillis(TIMEOUT_MS), secrets);
        return http.download(request, maxBytes)
                .onFailure(AddressGuard.Refused.class).transform(e -> JobFailure.permanent(e.getMessage(), e).ofType(ErrorTypes.REFUSED))
                .map(download -> {
                    try {
                        return items(download, from, max, secrets);
                    } catch (RuntimeException e) {
                        download.delete();
                        throw e;
                    }
                });
    }

    private Items items(Download download, From from, int max, SecretValues secrets) {
        OutboundReply reply = download.reply();
        if (RetryPolicy.retryable(reply)) {
            Duration after = RetryPolicy.retryAfter(reply, clock);
            String message = "the source answered HTTP " + reply.status() + " from " + reply.url().getHost();
            throw (after != null ? JobFailure.retryAfter(after, message) : JobFailure.retry(message)).ofType(ErrorTypes.HTTP_STATUS);
        }
        if (reply.status() >= 300) {
            throw JobFailure.permanent("the source answered HTTP " + reply.status() + " from " + reply.url().getHost())
                    .ofType(ErrorTypes.HTTP_STATUS);
        }
        if (reply.truncated()) {
            throw JobFailure.permanent("the source's reply is over HARRIER_SOURCE_MAX_BYTES (" + maxBytes + " bytes)")
                    .ofType(ErrorTypes.HTTP_STATUS);
        }
        String pointer = from.pointer() == null ? "" : from.pointer();
        try {
            return Items.open(mapper, download, pointer, max, secrets);
        } catch (IOException | IllegalStateException e) {
            throw JobFailure.permanent("the source: " + e.getMessage(), e).ofType(ErrorTypes.INVALID_ARGS);
        }
    }

    /**
     * The items of a downloaded source, parsed a batch at a time from its file, on a worker thread
     * (the file is read with blocking calls): only one batch is a tree in memory.
     */
    static final class Items {
        private final JsonParser parser;
        private final ObjectMapper mapper;
        private final Download download;
        private final int max;
        private final SecretValues secrets;
        private int count;
        private boolean done;

        private Items(JsonParser parser, ObjectMapper mapper, Download download, int max, SecretValues secrets) {
            this.secrets = secrets;
            this.parser = parser;
            this.mapper = mapper;
            this.download = download;
            this.max = max;
        }

        static Items open(ObjectMapper mapper, Download download, String pointer, int max, SecretValues secrets) throws IOException {
            JsonParser raw = mapper.getFactory().createParser(download.file().toFile());
            JsonParser parser = pointer.isEmpty() ? raw
                    : new FilteringParserDelegate(raw, new JsonPointerBasedFilter(pointer), TokenFilter.Inclusion.ONLY_INCLUDE_ALL, false);
            JsonToken first;
            try {
                first = parser.nextToken();
            } catch (IOException e) {
                parser.close();
                throw new IOException("the reply is not JSON: " + e.getMessage(), e);
            }
            if (first != JsonToken.START_ARRAY) {
                parser.close();
                throw new IllegalStateException("the reply holds no array at " + (pointer.isEmpty() ? "its top" : pointer));
            }
            return new Items(parser, mapper, download, max, secrets);
        }

        /** Up to {@code size} more items, read on a worker thread; empty when there are none left. */
        Uni<List<JsonNode>> next(int size) {
            return Uni.createFrom().item(() -> read(size)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }

        /** An item with any secret the request carried, echoed back, replaced by {@code [secret:NAME]}. */
        private JsonNode redacted(JsonNode item) throws IOException {
            if (secrets.isEmpty()) {
                return item;
            }
            String text = item.toString();
            String redacted = secrets.redact(text);
            return redacted.equals(text) ? item : mapper.readTree(redacted);
        }

        /** Closes the file and deletes it. */
        void close() {
            try {
                parser.close();
            } catch (IOException e) {
                // Deleted below all the same.
            }
            download.delete();
        }

        private List<JsonNode> read(int size) {
            List<JsonNode> batch = new ArrayList<>(Math.min(size, 1024));
            try {
                while (!done && batch.size() < size) {
                    JsonToken token = parser.nextToken();
                    if (token == null || token == JsonToken.END_ARRAY) {
                        done = true;
                        break;
                    }
                    if (++count > max) {
                        throw JobFailure.permanent("the source holds more than " + max + " items").ofType(ErrorTypes.INVALID_ARGS);
                    }
                    batch.add(redacted(mapper.readTree(parser)));
                }
            } catch (IOException | UncheckedIOException e) {
                throw JobFailure.permanent("the source's reply is not JSON: " + e.getMessage(), e).ofType(ErrorTypes.INVALID_ARGS);
            }
            return batch;
        }
    }
}
