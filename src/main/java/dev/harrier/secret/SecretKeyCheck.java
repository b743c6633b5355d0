package dev.harrier.secret;

import dev.harrier.sql.Table;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * At start-up, before the service answers or runs a job: every stored secret must open with the
 * configured keys, or the instance refuses to start (one line: what to set). Values sealed by an
 * old key ({@code HARRIER_SECRETS_OLD_KEYS}) are sealed again with the current one, so that the
 * old key can be dropped at the next deployment.
 */
@ApplicationScoped
public class SecretKeyCheck {

    private static final Logger LOG = Logger.getLogger(SecretKeyCheck.class);

    private final Pool pool;
    private final SecretStore store;

    public SecretKeyCheck(Pool pool, SecretStore store) {
        this.pool = pool;
        this.store = store;
    }

    void onStart(@Observes @Priority(10) StartupEvent event) {
        // Start-up runs on the main thread, not an event loop.
        RowSet<Row> rows = pool.query(Table.WORKSPACE_SECRETS.sql("all")).execute().await().atMost(Duration.ofSeconds(30));
        if (rows.size() == 0) {
            return;
        }
        Optional<SecretCipher> cipher = store.cipher();
        if (cipher.isEmpty()) {
            throw new SecretCipher.KeyProblem("the database holds " + rows.size() + " sealed secrets and HARRIER_SECRETS_KEY is not set:"
                    + " set the key that sealed them");
        }
        int resealed = 0;
        for (Row row : rows) {
            String workspace = row.getString("workspace");
            String name = row.getString("name");
            String keyId = row.getString("key_id");
            String value = cipher.get().open(workspace, name, new SecretCipher.Sealed(row.getBuffer("value").getBytes(), keyId));
            if (!keyId.equals(cipher.get().currentKeyId())) {
                SecretCipher.Sealed sealed = cipher.get().seal(workspace, name, value);
                Uni<RowSet<Row>> update = pool.preparedQuery(Table.WORKSPACE_SECRETS.sql("reseal"))
                        .execute(Tuple.from(List.of(workspace, name, Buffer.buffer(sealed.bytes()), sealed.keyId(), keyId)));
                resealed += update.await().atMost(Duration.ofSeconds(30)).rowCount();
            }
        }
        if (resealed > 0) {
            LOG.infof("Sealed %d secrets again with the current HARRIER_SECRETS_KEY (they were sealed with an old key)", resealed);
        }
    }
}
