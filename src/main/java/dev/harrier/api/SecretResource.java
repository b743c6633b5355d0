package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.dataset.DatasetNames;
import dev.harrier.document.ApiProblem;
import dev.harrier.document.Problem;
import dev.harrier.handler.FieldProblem;
import dev.harrier.queue.InputChecks;
import dev.harrier.secret.SecretStore;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A workspace's secrets: written and listed, never read back. API keys only (no read token, not
 * even a workspace token, reaches this path).
 */
@Path("/api/v1/secrets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Secrets", description = "Values jobs use as {{secret:NAME}}; sealed at rest, never shown")
public class SecretResource {

    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]{0,62})(\\.[a-z0-9]([a-z0-9-]{0,62}))*");
    private static final int MIN_BYTES = 8;
    private static final int MAX_BYTES = 8192;

    /** {@code allowedHosts}: hosts ({@code *.example.com} for its subdomains) it may be sent to; empty, any. */
    public record SecretPut(String value, List<String> allowedHosts, List<String> kinds) {
    }

    public record SecretListing(List<SecretStore.Listed> secrets) {
    }

    private final SecretStore store;
    private final RequestJson json;

    public SecretResource(SecretStore store, RequestJson json) {
        this.store = store;
        this.json = json;
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SecretPut.class)))
    @APIResponse(responseCode = "204", description = "Stored (created or replaced)")
    @Operation(operationId = "putSecret", summary = "Create or replace a secret",
            description = "Name [A-Z][A-Z0-9_]{0,63}, value 8 bytes to 8 KiB. Jobs use it as {{secret:NAME}} in header values "
                    + "and bodies; with allowedHosts only requests to those hosts get it (every redirect hop is checked), "
                    + "kinds lists the remote kinds whose claims receive it. 409 without HARRIER_SECRETS_KEY.")
    public Uni<Response> put(@Context ContainerRequestContext request, @PathParam("name") String name, byte[] body) throws IOException {
        Caller caller = Requests.withKey(request);
        requireKey();
        checkName(name);
        SecretPut put = body == null || body.length == 0 ? null : json.read(body, SecretPut.class);
        List<FieldProblem> problems = new ArrayList<>();
        if (put == null || put.value() == null) {
            problems.add(new FieldProblem("value", "is required"));
        } else {
            int bytes = put.value().getBytes(StandardCharsets.UTF_8).length;
            if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
                problems.add(new FieldProblem("value", "must be " + MIN_BYTES + " to " + MAX_BYTES + " bytes, not " + bytes));
            } else if (InputChecks.textProblem(put.value()) != null) {
                problems.add(new FieldProblem("value", InputChecks.textProblem(put.value())));
            }
        }
        List<String> hosts = put == null || put.allowedHosts() == null ? List.of() : put.allowedHosts();
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i) == null || hosts.get(i).length() > 253 || !HOST.matcher(hosts.get(i)).matches()) {
                problems.add(new FieldProblem("allowedHosts[" + i + "]", "must be a lower-case host name, or *. and a domain"));
            }
        }
        List<String> kinds = put == null || put.kinds() == null ? List.of() : put.kinds();
        for (int i = 0; i < kinds.size(); i++) {
            if (kinds.get(i) == null || !DatasetNames.valid(kinds.get(i))) {
                problems.add(new FieldProblem("kinds[" + i + "]", "must be a kind name: 1 to 100 of A-Z a-z 0-9 . _ -"));
            }
        }
        if (!problems.isEmpty()) {
            return Uni.createFrom().failure(new ApiProblem(Problem.invalid("Invalid secret", problems)));
        }
        return store.put(caller.workspace(), new SecretStore.Put(name, put.value(), hosts, kinds))
                .map(stored -> {
                    if (stored.isEmpty()) {
                        throw Requests.invalid("name", "the workspace has as many secrets as it may have (HARRIER_LIMITS_SECRETS)");
                    }
                    return Response.noContent().build();
                });
    }

    @GET
    @Operation(operationId = "listSecrets", summary = "The workspace's secrets: names and when they changed, never values")
    @APIResponse(responseCode = "200", description = "The secrets, by name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SecretListing.class)))
    public Uni<SecretListing> list(@Context ContainerRequestContext request) {
        Caller caller = Requests.withKey(request);
        requireKey();
        return store.list(caller.workspace()).map(SecretListing::new);
    }

    @DELETE
    @Path("/{name}")
    @APIResponse(responseCode = "204", description = "Deleted")
    @Operation(operationId = "deleteSecret", summary = "Delete a secret",
            description = "409 naming the schedules whose job uses it; jobs already enqueued that use it fail (secret_unavailable).")
    public Uni<Response> delete(@Context ContainerRequestContext request, @PathParam("name") String name) {
        Caller caller = Requests.withKey(request);
        requireKey();
        checkName(name);
        return store.schedulesNaming(caller.workspace(), name)
                .flatMap(schedules -> {
                    if (!schedules.isEmpty()) {
                        throw new ApiProblem(Problem.conflict("The secret " + name + " is used by the schedules "
                                + String.join(", ", schedules) + ": change or delete them first"));
                    }
                    return store.delete(caller.workspace(), name);
                })
                .map(deleted -> {
                    if (!deleted) {
                        throw new ApiProblem(Problem.notFound("No secret " + name));
                    }
                    return Response.noContent().build();
                });
    }

    private void requireKey() {
        if (store.cipher().isEmpty()) {
            throw new ApiProblem(Problem.of(409, "secrets-key-missing", "Secrets need a key",
                    "Set HARRIER_SECRETS_KEY on every instance to the base64 of 32 random bytes (openssl rand -base64 32),"
                            + " then restart: secrets are sealed with it"));
        }
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw Requests.invalid("name", "must be [A-Z][A-Z0-9_]{0,63}: an upper-case letter, then upper-case letters, digits or _");
        }
    }
}
