package dev.harrier.secret;

import dev.harrier.config.HarrierConfig;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A workspace's secrets: sealed on the way in, opened only into an attempt's {@link SecretValues}
 * (or a remote worker's claim). Without {@code HARRIER_SECRETS_KEY} nothing can be stored or opened.
 */
@ApplicationScoped
public class SecretStore {

    /** A secret as the API lists it: never its value. */
    public record Listed(String name, Instant updatedAt) {
    }

    /** What a put asks for. */
    public record Put(String name, String value, List<String> allowedHosts, List<String> kinds) {
    }

    private final Pool pool;
    private final HarrierConfig config;
    private final Optional<SecretCipher> cipher;

    public SecretStore(Pool pool, HarrierConfig config) {
        this.pool = pool;
        this.config = config;
        this.cipher = config.secrets().key().filter(k -> !k.isBlank())
                .map(key -> SecretCipher.of(key, config.secrets().oldKeys().orElse(null)));
    }

    /** The cipher of the configured keys; empty without {@code HARRIER_SECRETS_KEY}. */
    public Optional<SecretCipher> cipher() {
        return cipher;
    }

    /** True when created, false when replaced; empty when a new one would pass the workspace's limit. */
    public Uni<Optional<Boolean>> put(String workspace, Put secret) {
        SecretCipher.Sealed sealed = cipher.orElseThrow().seal(workspace, secret.name(), secret.value());
        return pool.preparedQuery(Table.WORKSPACE_SECRETS.sql("put"))
                .execute(Tuple.from(List.of(workspace, secret.name(), Buffer.buffer(sealed.bytes()), sealed.keyId(),
                        secret.allowedHosts().toArray(String[]::new), secret.kinds().toArray(String[]::new),
                        config.limits().secrets())))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getBoolean("created")));
    }

    public Uni<List<Listed>> list(String workspace) {
        return pool.preparedQuery(Table.WORKSPACE_SECRETS.sql("list"))
                .execute(Tuple.of(workspace))
                .map(rows -> {
                    List<Listed> found = new ArrayList<>();
                    for (Row row : rows) {
                        found.add(new Listed(row.getString("name"), row.getOffsetDateTime("updated_at").toInstant()));
                    }
                    return found;
                });
    }

    public Uni<Boolean> delete(String workspace, String name) {
        return pool.preparedQuery(Table.WORKSPACE_SECRETS.sql("delete"))
                .execute(Tuple.of(workspace, name))
                .map(rows -> rows.size() > 0);
    }

    /** The schedules of the workspace whose job names the secret. */
    public Uni<List<String>> schedulesNaming(String workspace, String name) {
        return pool.preparedQuery(Table.WORKSPACE_SECRETS.sql("schedules_naming"))
                .execute(Tuple.of(workspace, "{{secret:" + name + "}}"))
                .map(rows -> {
                    List<String> names = new ArrayList<>();
                    rows.forEach(row -> names.add(row.getString("name")));
                    return names;
                });
    }

    /** Of {@code names}, those the workspace has no secret of. */
    public Uni<Set<String>> missing(String workspace, Collection<String> names) {
        if (names.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.preparedQuery(Table.WORKSPACE_SECRETS.sql("existing"))
                .execute(Tuple.of(workspace, names.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> missing = new HashSet<>(names);
                    rows.forEach(row -> missing.remove(row.getString("name")));
                    return missing;
                });
    }

    /**
     * The values of {@code names} for one attempt; names with no secret are {@code missing}. With
     * {@code kind}, only the secrets whose {@code kinds} list it (a remote worker's claim).
     */
    public Uni<SecretValues> resolve(String workspace, Collection<String> names, String kind) {
        if (names.isEmpty()) {
            return Uni.createFrom().item(SecretValues.NONE);
        }
        return pool.preparedQuery(Table.WORKSPACE_SECRETS.sql("get_many"))
                .execute(Tuple.of(workspace, names.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, SecretValues.Secret> found = new HashMap<>();
                    Set<String> missing = new HashSet<>(names);
                    for (Row row : rows) {
                        String name = row.getString("name");
                        if (kind != null && !Arrays.asList(row.getArrayOfStrings("kinds")).contains(kind)) {
                            continue;
                        }
                        missing.remove(name);
                        if (cipher.isEmpty()) {
                            continue;
                        }
                        String value = cipher.get().open(workspace, name,
                                new SecretCipher.Sealed(row.getBuffer("value").getBytes(), row.getString("key_id")));
                        found.put(name, new SecretValues.Secret(name, value, List.of(row.getArrayOfStrings("allowed_hosts"))));
                    }
                    if (kind != null) {
                        missing.clear();
                    }
                    return new SecretValues(found, missing);
                });
    }
}
