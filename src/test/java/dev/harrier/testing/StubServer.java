package dev.harrier.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A local HTTP server for tests of outbound calls: routes by path to a handler, counts the
 * requests per path, and keeps their headers and bodies. Started on a free port of 127.0.0.1.
 */
public final class StubServer implements AutoCloseable {

    /** One request as the stub received it. */
    public record Received(String method, String path, Map<String, String> headers, String body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, BiConsumer<HttpServerRequest, String>> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile boolean keepRequests = true;

    public StubServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public StubServer on(String path, Consumer<HttpServerRequest> handler) {
        routes.put(path, (request, body) -> handler.accept(request));
        return this;
    }

    /** A route that also gets the request body (already read by the stub). */
    public StubServer onBody(String path, BiConsumer<HttpServerRequest, String> handler) {
        routes.put(path, handler);
        return this;
    }

    /** For load: count requests but keep none of them (a list of 100,000 requests is no stub's job). */
    public StubServer withoutRecording() {
        keepRequests = false;
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.actualPort() + path;
    }

    public int count(String path) {
        return counts.getOrDefault(path, new AtomicInteger()).get();
    }

    public List<Received> received() {
        return received;
    }

    private void handle(HttpServerRequest request) {
        counts.computeIfAbsent(request.path(), p -> new AtomicInteger()).incrementAndGet();
        request.body().onSuccess(body -> {
            Map<String, String> headers = new ConcurrentHashMap<>();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
            if (keepRequests) {
                received.add(new Received(request.method().name(), request.path(), headers, body.toString()));
            }
            BiConsumer<HttpServerRequest, String> route = routes.get(request.path());
            if (route == null) {
                request.response().setStatusCode(404).end("no route");
            } else {
                route.accept(request, body.toString());
            }
        });
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
