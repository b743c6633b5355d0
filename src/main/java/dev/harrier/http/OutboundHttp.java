package dev.harrier.http;

import dev.harrier.config.HarrierConfig;
import dev.harrier.secret.SecretRefused;
import dev.harrier.secret.SecretValues;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Harrier's one outbound HTTP client (Vert.x WebClient, pooled keep-alive connections). Every hop
 * is checked by {@link AddressGuard} and sent to the very address that was checked; redirects are
 * followed here, up to the configured number, so that each target is checked too.
 */
@ApplicationScoped
public class OutboundHttp {

    private final Vertx vertx;
    private final WebClient client;
    private final AddressGuard guard;
    private final HostLimiter hosts;
    private final int maxBodyBytes;
    private final int maxRedirects;

    public OutboundHttp(Vertx vertx, HarrierConfig config, HostLimiter hosts) {
        this.vertx = vertx;
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setFollowRedirects(false)
                .setKeepAlive(true)
                .setForceSni(true)
                .setMaxPoolSize(config.http().poolSizePerHost())
                .setUserAgent("Harrier"));
        ExchangeTap.install(client.getDelegate());
        this.guard = new AddressGuard(vertx, config.http().allowPrivateNetworks(),
                config.http().allowedTargets().orElse(List.of()));
        this.hosts = hosts;
        this.maxBodyBytes = config.http().maxBodyBytes();
        this.maxRedirects = config.http().maxRedirects();
    }

    /** Sends the request; fails with {@link AddressGuard.Refused} for targets that may not be called. */
    public Uni<OutboundReply> send(OutboundRequest request) {
        return send(request, maxBodyBytes);
    }

    /**
     * The same, the reply's body kept up to {@code maxBytes} instead of the results' cap (a source
     * of items read whole); past it the reply is {@code truncated}.
     */
    public Uni<OutboundReply> send(OutboundRequest request, int maxBytes) {
        return sendTo(request, maxBytes, null);
    }

    /**
     * Sends the request and writes the reply's body to a new temporary file as it streams in, up to
     * {@code maxBytes} ({@code truncated} past it; the exchange is then reset): a source of
     * hundreds of megabytes costs the heap a few buffers. The caller deletes the file
     * ({@link Download#delete}).
     */
    public Uni<Download> download(OutboundRequest request, long maxBytes) {
        Uni<OutboundReply> checked = checkHeaders(request);
        if (checked != null) {
            return checked.map(reply -> null);
        }
        return downloadHop(request, 0, System.nanoTime(), maxBytes);
    }

    /** One hop of a download, to a file of its own: a redirect's file is deleted and the next hop gets a new one. */
    private Uni<Download> downloadHop(OutboundRequest request, int redirects, long started, long maxBytes) {
        URI url = request.url();
        FileSystem files = vertx.getDelegate().fileSystem();
        return guard.resolve(url)
                .flatMap(address -> Uni.createFrom().completionStage(() -> files.createTempFile("harrier-source-", ".json")
                                .toCompletionStage())
                        .flatMap(path -> Uni.createFrom().completionStage(() -> files.open(path, new OpenOptions().setWrite(true))
                                        .toCompletionStage())
                                .flatMap(file -> hosts.run(hostKey(url), () -> exchange(request, address, started, maxBytes, file))
                                        .onTermination().call(() -> Uni.createFrom().completionStage(() -> file.close()
                                                .toCompletionStage()).onFailure().recoverWithNull()))
                                .map(reply -> new Download(reply, Path.of(path)))
                                .onFailure().call(failure -> delete(files, path))))
                .flatMap(download -> {
                    OutboundReply reply = download.reply();
                    String location = reply.header("Location");
                    if (!isRedirect(reply.status()) || location == null) {
                        return Uni.createFrom().item(download);
                    }
                    return delete(files, download.file().toString()).flatMap(deleted -> {
                        if (redirects >= maxRedirects) {
                            return Uni.createFrom().failure(new AddressGuard.Refused("more than " + maxRedirects + " redirects"));
                        }
                        return downloadHop(redirected(request, reply.status(), url.resolve(location)), redirects + 1, started, maxBytes);
                    });
                });
    }

    private static Uni<Void> delete(FileSystem files, String path) {
        return Uni.createFrom().completionStage(() -> files.delete(path).toCompletionStage())
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<OutboundReply> sendTo(OutboundRequest request, long maxBytes, AsyncFile spool) {
        Uni<OutboundReply> checked = checkHeaders(request);
        return checked != null ? checked : hop(request, 0, System.nanoTime(), maxBytes, spool);
    }

    /** A refusal when a header cannot be sent, or null. */
    private static Uni<OutboundReply> checkHeaders(OutboundRequest request) {
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            // Checked at enqueue; a job stored otherwise (by SQL, by an older version) fails for good.
            if (!HeaderChecks.isToken(header.getKey()) || header.getValue() == null || !HeaderChecks.isFieldValue(header.getValue())) {
                return Uni.createFrom().failure(new AddressGuard.Refused("the header '" + header.getKey()
                        + "' cannot be sent: a name must be a token and a value free of line breaks"));
            }
        }
        return null;
    }

    private Uni<OutboundReply> hop(OutboundRequest request, int redirects, long started, long maxBytes, AsyncFile spool) {
        URI url = request.url();
        return guard.resolve(url)
                .flatMap(address -> hosts.run(hostKey(url), () -> exchange(request, address, started, maxBytes, spool)))
                .flatMap(reply -> {
                    String location = reply.header("Location");
                    if (isRedirect(reply.status()) && location != null) {
                        if (redirects >= maxRedirects) {
                            return Uni.createFrom().failure(new AddressGuard.Refused("more than " + maxRedirects + " redirects"));
                        }
                        return hop(redirected(request, reply.status(), url.resolve(location)), redirects + 1, started, maxBytes, spool);
                    }
                    return Uni.createFrom().item(reply);
                });
    }

    private Uni<OutboundReply> exchange(OutboundRequest request, InetAddress address, long started, long maxBytes,
                                        AsyncFile spool) {
        URI url = request.url();
        boolean tls = url.getScheme().equalsIgnoreCase("https");
        int port = port(url);
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        ExchangeTap tap = spool == null ? new ExchangeTap((int) maxBytes) : new ExchangeTap(maxBytes, spool);
        HttpRequest<ExchangeTap.Body> http = client.request(HttpMethod.valueOf(request.method().toUpperCase(Locale.ROOT)),
                        SocketAddress.inetSocketAddress(port, address.getHostAddress()), port, url.getHost(), path)
                .ssl(tls)
                .timeout(request.timeout().toMillis())
                .as(tap.codec());
        SecretValues secrets = request.secrets();
        Uni<HttpResponse<ExchangeTap.Body>> sent;
        try {
            // Filled for this hop's host only; the request as stored, and the next hop's, keep the placeholders.
            for (Map.Entry<String, String> header : request.headers().entrySet()) {
                String value = secrets.fill(header.getValue(), url.getHost());
                if (!HeaderChecks.isFieldValue(value)) {
                    // A secret with a line break would split the header: never sent.
                    return Uni.createFrom().failure(new AddressGuard.Refused("the header '" + header.getKey()
                            + "' cannot be sent: a secret it names holds a line break or another control character"));
                }
                http.putHeader(header.getKey(), value);
            }
            byte[] body = request.body() == null ? null : fill(secrets, request, url.getHost());
            sent = body == null ? http.send() : http.sendBuffer(Buffer.buffer(body));
        } catch (SecretRefused refused) {
            return Uni.createFrom().failure(refused);
        }
        return sent
                .map(response -> reply(response.statusCode(), response.headers().getDelegate(), response.body(), url, started))
                // A body past the cap resets the exchange: what was kept is the reply.
                .onFailure(failure -> tap.wasCut())
                .recoverWithItem(failure -> reply(tap.status(), tap.headers(), tap.cutBody(), url, started))
                .map(reply -> redact(secrets, reply))
                // Given up on (the deadline below, the job cancelled): reset, do not read on.
                .onCancellation().invoke(tap::abandon)
                // The client's time-out is an idle one: a server dribbling a byte a second would
                // never hit it. The whole exchange gets the same time as a deadline.
                .ifNoItem().after(request.timeout())
                .failWith(() -> new TimeoutException("no complete answer from " + url.getHost() + " within "
                        + request.timeout().toMillis() + " ms"));
    }

    private static OutboundReply reply(int status, MultiMap received, ExchangeTap.Body body, URI url, long started) {
        Map<String, String> headers = new LinkedHashMap<>();
        received.forEach(entry -> headers.merge(entry.getKey(), entry.getValue(), (a, b) -> a + ", " + b));
        return new OutboundReply(status, headers, body == null ? new byte[0] : body.bytes(),
                body != null && body.truncated(), Duration.ofNanos(System.nanoTime() - started), url);
    }

    /** The body with its placeholders filled for this host, encoded as its Content-Type needs. */
    public static byte[] fill(SecretValues secrets, OutboundRequest request, String host) {
        byte[] body = request.body();
        if (body == null || secrets.isEmpty()) {
            return body;
        }
        String contentType = null;
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase("Content-Type")) {
                contentType = header.getValue();
            }
        }
        String text = new String(body, StandardCharsets.UTF_8);
        String filled = secrets.fillBody(text, contentType, host);
        return filled.equals(text) ? body : filled.getBytes(StandardCharsets.UTF_8);
    }

    /** A reply with every value the request's secrets hold replaced by {@code [secret:NAME]}. */
    private static OutboundReply redact(SecretValues secrets, OutboundReply reply) {
        if (secrets.isEmpty()) {
            return reply;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        reply.headers().forEach((name, value) -> headers.put(name, secrets.redact(value)));
        return new OutboundReply(reply.status(), headers, secrets.redact(reply.body()), reply.truncated(), reply.duration(), reply.url());
    }

    private static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** The unit of the per-host limits: host and port, as the connection pool counts them. */
    private static String hostKey(URI url) {
        return url.getHost().toLowerCase(Locale.ROOT) + ":" + port(url);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** 303, and 301/302 after a POST, become a GET without a body, as browsers do. */
    private static OutboundRequest redirected(OutboundRequest request, int status, URI target) {
        boolean toGet = status == 303 || ((status == 301 || status == 302) && request.method().equalsIgnoreCase("POST"));
        return new OutboundRequest(toGet ? "GET" : request.method(), target, request.headers(),
                toGet ? null : request.body(), request.timeout(), request.secrets());
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
