package dev.harrier.api.auth;

import dev.harrier.document.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every request to {@code /api/v1} needs {@code Authorization: Bearer <api key>}, or a read token
 * (as {@code ?access_token=} or as the bearer) on a {@code GET} it may make: a job token on its
 * job's read endpoints; a workspace token on every read but secrets; one with tags on jobs and the
 * workspace stream only (the resources then show only the jobs carrying the tags).
 */
public class AuthFilter {

    private static final Pattern TOKEN_READABLE = Pattern.compile("/api/v1/jobs/([0-9a-fA-F-]{36})(/events|/logs|/items)?/?");
    private static final Pattern TAGS_READABLE = Pattern.compile("/api/v1/(jobs|events)/?");
    private static final Pattern NEVER_TOKEN = Pattern.compile("/api/v1/(secrets|signing-secret)(/.*)?");

    private final ApiKeys keys;
    private final ReadTokens tokens;

    public AuthFilter(ApiKeys keys, ReadTokens tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return Optional.empty();
        }
        if ("OPTIONS".equals(request.getMethod())) {
            return Optional.empty();
        }
        Optional<String> header = bearer(request);
        String credential = header.orElseGet(() -> request.getUriInfo().getQueryParameters().getFirst("access_token"));
        if (credential == null || credential.isBlank()) {
            return deny(Problem.unauthorized("Send 'Authorization: Bearer <api key>', or a read token as ?access_token="));
        }
        // An API key counts only in the header: in a URL it would end up in logs and browser history.
        Optional<String> workspace = header.isPresent() ? keys.workspaceOf(credential) : Optional.empty();
        if (workspace.isPresent()) {
            request.setProperty(Caller.PROPERTY, Caller.withKey(workspace.get()));
            return Optional.empty();
        }
        Optional<ReadTokens.Grant> grant = credential.chars().filter(c -> c == '.').count() == 2
                ? tokens.verify(credential) : Optional.empty();
        if (grant.isEmpty()) {
            return deny(Problem.unauthorized("The API key or read token is not valid (or has expired)"));
        }
        String refused = refusal(grant.get(), request.getMethod(), path);
        if (refused != null) {
            return deny(Problem.of(403, "forbidden", "Forbidden", refused));
        }
        request.setProperty(Caller.PROPERTY,
                new Caller(grant.get().workspace(), grant.get().jobId(), grant.get().tags(), true));
        return Optional.empty();
    }

    /** Why a token may not make this request, or null when it may. */
    static String refusal(ReadTokens.Grant grant, String method, String path) {
        if (!"GET".equals(method)) {
            return "A read token only reads; send an API key to act";
        }
        if (grant.jobId() != null) {
            Matcher readable = TOKEN_READABLE.matcher(path);
            boolean own = readable.matches() && readable.group(1).equalsIgnoreCase(grant.jobId().toString());
            return own ? null : "A job's read token only reads its own job";
        }
        if (NEVER_TOKEN.matcher(path).matches()) {
            return "Secrets are read with an API key only";
        }
        if (!grant.tags().isEmpty() && !TAGS_READABLE.matcher(path).matches() && !TOKEN_READABLE.matcher(path).matches()) {
            return "A token with tags reads only the jobs carrying them and their streams";
        }
        return null;
    }

    private static Optional<String> bearer(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).strip());
    }

    private static Optional<Response> deny(Problem problem) {
        Response.ResponseBuilder response = Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
        if (problem.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return Optional.of(response.build());
    }
}
