package dev.harrier.api.auth;

import dev.harrier.config.HarrierConfig;
import dev.harrier.sql.Table;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;

/**
 * Signed, expiring read tokens ({@code ?access_token=} where {@code EventSource} cannot send
 * headers): a job token reads one job; a workspace token reads the workspace, or with tags only
 * the jobs carrying all of them. JWTs signed with HS256 by SmallRye JWT and checked by jose4j; the
 * audience tells the two apart, so one kind can never be read as the other. The key is
 * {@code HARRIER_API_TOKEN_SECRET}, or one generated once and shared by all instances through the
 * database.
 */
@ApplicationScoped
public class ReadTokens {

    static final String AUDIENCE = "harrier-read";
    static final String WORKSPACE_AUDIENCE = "harrier-workspace";
    static final String SECRET_NAME = "read-token-key";

    /**
     * What a valid token grants: one job ({@code jobId}), or the workspace ({@code jobId} null),
     * limited to the jobs carrying all of {@code tags} when there are any.
     */
    public record Grant(String workspace, UUID jobId, List<String> tags) {
    }

    private final HarrierConfig config;
    private final Pool pool;
    private final Clock clock;
    private volatile SecretKey key;
    private volatile byte[] secret;

    public ReadTokens(HarrierConfig config, Pool pool, Clock clock) {
        this.config = config;
        this.pool = pool;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        byte[] secret = config.api().tokenSecret()
                .map(s -> s.getBytes(StandardCharsets.UTF_8))
                // Start-up runs on the main thread, not an event loop.
                .orElseGet(() -> sharedSecret().await().atMost(Duration.ofSeconds(30)));
        if (secret.length < 32) {
            throw new IllegalStateException("HARRIER_API_TOKEN_SECRET must be at least 32 bytes");
        }
        key = new SecretKeySpec(secret, "HmacSHA256");
        this.secret = secret;
    }

    /** Checks signature, audience and subject, and expiry against the service's clock now. */
    private JwtConsumer consumer() {
        return new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setExpectedAudience(AUDIENCE, WORKSPACE_AUDIENCE)
                .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()))
                .setVerificationKey(new HmacKey(secret))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.HMAC_SHA256)
                .build();
    }

    /** A token, and until when it is valid. */
    public record Issued(String token, Instant expiresAt) {
    }

    /**
     * A token for one job of one workspace, valid for at least {@code ttlSeconds}: a JWT's expiry
     * is in whole seconds, so it is rounded up.
     */
    public Issued issue(String workspace, UUID jobId, long ttlSeconds) {
        return sign(jobId.toString(), AUDIENCE, workspace, null, ttlSeconds);
    }

    /** A token reading the workspace, or with {@code tags} only the jobs carrying all of them. */
    public Issued issueWorkspace(String workspace, List<String> tags, long ttlSeconds) {
        return sign(workspace, WORKSPACE_AUDIENCE, workspace, List.copyOf(tags), ttlSeconds);
    }

    private Issued sign(String subject, String audience, String workspace, List<String> tags, long ttlSeconds) {
        Instant expiresAt = clock.instant().plusSeconds(ttlSeconds + 1).truncatedTo(ChronoUnit.SECONDS);
        var claims = Jwt.claims()
                .subject(subject)
                .audience(audience)
                .claim("ws", workspace);
        if (tags != null) {
            claims.claim("tags", tags);
        }
        String token = claims
                .issuedAt(clock.instant())
                .expiresAt(expiresAt)
                .jws()
                .algorithm(SignatureAlgorithm.HS256)
                .sign(key);
        return new Issued(token, expiresAt);
    }

    /** The grant of a valid, unexpired token; empty for anything else. */
    public Optional<Grant> verify(String token) {
        try {
            var claims = consumer().processToClaims(token);
            Object workspace = claims.getClaimValue("ws");
            if (!(workspace instanceof String ws)) {
                return Optional.empty();
            }
            if (claims.getAudience().contains(AUDIENCE)) {
                return Optional.of(new Grant(ws, UUID.fromString(claims.getSubject()), List.of()));
            }
            return Optional.of(new Grant(ws, null, tags(claims.getClaimValue("tags"))));
        } catch (InvalidJwtException | MalformedClaimException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The tags of a workspace token; a claim that is not a list of strings grants nothing. */
    private static List<String> tags(Object claim) {
        if (!(claim instanceof List<?> values)) {
            throw new IllegalArgumentException("a workspace token without its tags");
        }
        List<String> tags = new ArrayList<>();
        for (Object value : values) {
            if (!(value instanceof String tag)) {
                throw new IllegalArgumentException("a tag that is not a string");
            }
            tags.add(tag);
        }
        return List.copyOf(tags);
    }

    private Uni<byte[]> sharedSecret() {
        return pool.preparedQuery(Table.SECRETS.sql("create"))
                .execute(Tuple.of(SECRET_NAME, Buffer.buffer(ApiKeys.randomBytes(32))))
                .flatMap(created -> pool.preparedQuery(Table.SECRETS.sql("get")).execute(Tuple.of(SECRET_NAME)))
                .map(rows -> rows.iterator().next().getBuffer("value").getBytes());
    }
}
