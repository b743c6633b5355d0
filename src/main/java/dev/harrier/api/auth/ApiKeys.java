package dev.harrier.api.auth;

import dev.harrier.config.HarrierConfig;
import dev.harrier.sql.Table;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The API keys and their workspaces. Keys come from {@code HARRIER_API_KEYS} and
 * {@code HARRIER_API_KEYS_FILE}; with none configured, Harrier creates one for the {@code default}
 * workspace on first start, prints it once, and keeps only its SHA-256 hash in the database. Only
 * hashes are held in memory too, and a presented key is compared with every one of them in
 * constant time.
 */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private record Entry(String workspace, byte[] hash) {
    }

    private final HarrierConfig config;
    private final Pool pool;
    private volatile List<Entry> entries = List.of();

    public ApiKeys(HarrierConfig config, Pool pool) {
        this.config = config;
        this.pool = pool;
    }

    void onStart(@Observes StartupEvent event) {
        List<Entry> loaded = new ArrayList<>(configured());
        if (loaded.isEmpty()) {
            // Start-up runs on the main thread, not an event loop: waiting here is what makes the
            // service answer only once its keys are known.
            loaded.addAll(fromDatabase().await().atMost(Duration.ofSeconds(30)));
        }
        entries = List.copyOf(loaded);
    }

    /** The workspace of a key, if it is one; every stored hash is compared, in constant time. */
    public Optional<String> workspaceOf(String presented) {
        byte[] hash = sha256(presented);
        String found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.hash(), hash) && found == null) {
                found = entry.workspace();
            }
        }
        return Optional.ofNullable(found);
    }

    private List<Entry> configured() {
        List<String> specs = new ArrayList<>();
        config.api().keys().ifPresent(keys -> specs.addAll(List.of(keys.split(","))));
        config.api().keysFile().ifPresent(file -> {
            try {
                Files.readAllLines(Path.of(file)).stream()
                        .map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .forEach(specs::add);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read HARRIER_API_KEYS_FILE " + file + ": " + e.getMessage());
            }
        });
        List<Entry> result = new ArrayList<>();
        for (int n = 0; n < specs.size(); n++) {
            String trimmed = specs.get(n).strip();
            int colon = trimmed.indexOf(':');
            if (colon <= 0 || colon == trimmed.length() - 1) {
                // Named by position: the entry itself may be a key, and keys never go to a log.
                throw new IllegalStateException("API key entry " + (n + 1) + " is not written workspace:key");
            }
            result.add(new Entry(trimmed.substring(0, colon), sha256(trimmed.substring(colon + 1))));
        }
        return result;
    }

    private Uni<List<Entry>> fromDatabase() {
        String key = "hk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        return pool.withTransaction(tx -> tx.query(Table.API_KEYS.sql("lock")).execute()
                        .flatMap(locked -> tx.preparedQuery(Table.API_KEYS.sql("create_if_none"))
                                .execute(Tuple.of("default", Buffer.buffer(sha256(key)), key.substring(0, 7)))))
                .invoke(created -> {
                    if (created.size() > 0) {
                        LOG.warnf("No API key was configured, so Harrier created one for the workspace 'default'."
                                + " It is shown this once and only its hash is kept:%n%n    %s%n%n"
                                + "Send it as 'Authorization: Bearer <key>'. Configure your own with HARRIER_API_KEYS=workspace:key.", key);
                    }
                })
                .flatMap(created -> pool.query(Table.API_KEYS.sql("list")).execute())
                .map(rows -> {
                    List<Entry> stored = new ArrayList<>();
                    for (Row row : rows) {
                        stored.add(new Entry(row.getString("workspace"), row.getBuffer("key_hash").getBytes()));
                    }
                    return stored;
                });
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
