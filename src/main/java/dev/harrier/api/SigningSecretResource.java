package dev.harrier.api;

import dev.harrier.api.auth.Caller;
import dev.harrier.signing.SigningSecrets;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The workspace's signing secret: the key of the {@code Harrier-Signature} of its http jobs,
 * callbacks and notify deliveries. Read and rotated with an API key only (a read token or a
 * workspace token never sees it).
 */
@Path("/api/v1/signing-secret")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Pipelines", description = "Children, each, then chains and callbacks; the signing secret that signs callbacks")
public class SigningSecretResource {

    /** {@code previous}: the secret a rotation replaced, while it still signs (24 h); then null. */
    public record Secret(String secret, @Schema(nullable = true) String previous, @Schema(nullable = true) Instant rotatedAt) {
    }

    private final SigningSecrets secrets;

    public SigningSecretResource(SigningSecrets secrets) {
        this.secrets = secrets;
    }

    @GET
    @Operation(operationId = "getSigningSecret", summary = "The workspace's signing secret",
            description = "Made on first use. Harrier-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"<t>.<purpose>.\" + body>, "
                    + "purpose http, callback or notify; after a rotation a second v1= with the previous secret for 24 h.")
    @APIResponse(responseCode = "200", description = "The secret",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Secret.class)))
    public Uni<Secret> get(@Context ContainerRequestContext request) {
        Caller caller = Requests.withKey(request);
        return secrets.get(caller.workspace()).map(SigningSecretResource::document);
    }

    @POST
    @Path("/rotate")
    @Operation(operationId = "rotateSigningSecret", summary = "Replace the workspace's signing secret",
            description = "The previous one keeps signing alongside for 24 h, as a second v1=.")
    @APIResponse(responseCode = "200", description = "The new secret, and the previous one",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Secret.class)))
    public Uni<Secret> rotate(@Context ContainerRequestContext request) {
        Caller caller = Requests.withKey(request);
        return secrets.rotate(caller.workspace()).map(SigningSecretResource::document);
    }

    private static Secret document(SigningSecrets.Secrets s) {
        return new Secret(s.secret(), s.previous(), s.rotatedAt());
    }
}
