package dev.harrier.signing;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each workspace's own signing secret, made on first use: the HMAC key of the
 * {@code Harrier-Signature} of its {@code http} jobs, callbacks and notify deliveries, so that one
 * tenant's jobs can never produce a signature another tenant's endpoint accepts. A rotation keeps
 * the previous secret signing alongside for {@link #OVERLAP} (a second {@code v1=}), time for the
 * app to deploy the new one. Read through a cache of {@link #CACHE} per workspace: a rotation on
 * another instance reaches this one within it, and the previous secret still signs meanwhile.
 */
@ApplicationScoped
public class SigningSecrets {

    public static final Duration OVERLAP = Duration.ofHours(24);
    static final Duration CACHE = Duration.ofSeconds(10);
    private static final String PREFIX = "whsec_";

    /** A workspace's secrets: {@code previous} is null when none signs any more. */
    public record Secrets(String secret, String previous, Instant rotatedAt) {

        /** The secrets that sign now, the current one first. */
        public List<String> signing() {
            List<String> keys = new ArrayList<>(2);
            keys.add(secret);
            if (previous != null) {
                keys.add(previous);
            }
            return keys;
        }
    }

    private record Cached(Secrets secrets, long until) {
    }

    private final Pool pool;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public SigningSecrets(Pool pool) {
        this.pool = pool;
    }

    /** The workspace's secrets, made if it has none yet. */
    public Uni<Secrets> get(String workspace) {
        Cached cached = cache.get(workspace);
        if (cached != null && cached.until() - System.nanoTime() > 0) {
            return Uni.createFrom().item(cached.secrets());
        }
        return read(workspace)
                .flatMap(found -> found != null ? Uni.createFrom().item(found)
                        : pool.preparedQuery(Table.SIGNING_SECRETS.sql("create"))
                                .execute(Tuple.of(workspace, fresh()))
                                .flatMap(created -> read(workspace)))
                .invoke(secrets -> remember(workspace, secrets));
    }

    /** Replaces the workspace's secret; the one replaced keeps signing for {@link #OVERLAP}. */
    public Uni<Secrets> rotate(String workspace) {
        return pool.preparedQuery(Table.SIGNING_SECRETS.sql("rotate"))
                .execute(Tuple.of(workspace, fresh()))
                .map(rows -> secrets(rows.iterator().next()))
                .invoke(secrets -> remember(workspace, secrets));
    }

    private Uni<Secrets> read(String workspace) {
        return pool.preparedQuery(Table.SIGNING_SECRETS.sql("get"))
                .execute(Tuple.of(workspace, OVERLAP.toSeconds()))
                .map(rows -> rows.size() == 0 ? null : secrets(rows.iterator().next()));
    }

    private void remember(String workspace, Secrets secrets) {
        cache.put(workspace, new Cached(secrets, System.nanoTime() + CACHE.toNanos()));
    }

    private static Secrets secrets(Row row) {
        boolean previousSigns = Boolean.TRUE.equals(row.getBoolean("previous_signs"));
        return new Secrets(row.getString("secret"), previousSigns ? row.getString("previous") : null,
                row.getOffsetDateTime("rotated_at") == null ? null : row.getOffsetDateTime("rotated_at").toInstant());
    }

    private String fresh() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + HexFormat.of().formatHex(bytes);
    }
}
