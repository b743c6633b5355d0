package dev.harrier.queue;

import dev.harrier.sql.Columns;
import dev.harrier.sql.PgText;
import dev.harrier.sql.SmallBatches;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Writes many attempt outcomes in one statement, each only if its owner still holds the lease. */
@ApplicationScoped
public class OutcomeWriter {

    private final SmallBatches smallBatches;

    public OutcomeWriter(SmallBatches smallBatches) {
        this.smallBatches = smallBatches;
    }

    /** Returns the ids whose outcome was written; the others had lost their lease. */
    public Uni<Set<UUID>> write(List<Outcome> outcomes, String owner) {
        int n = outcomes.size();
        UUID[] ids = new UUID[n];
        Integer[] attempts = new Integer[n];
        String[] statuses = new String[n];
        String[] results = new String[n];
        OffsetDateTime[] runAts = new OffsetDateTime[n];
        String[] messages = new String[n];
        String[] types = new String[n];
        for (int i = 0; i < n; i++) {
            Outcome o = outcomes.get(i);
            ids[i] = o.jobId();
            attempts[i] = o.attempt();
            statuses[i] = o.status().wire();
            results[i] = PgText.withoutNulEscape(o.resultJson());
            runAts[i] = JobRows.offset(o.runAt());
            messages[i] = PgText.withoutNul(o.errorMessage());
            types[i] = PgText.withoutNul(o.errorType());
        }
        Tuple params = Tuple.from(List.of(ids, attempts, statuses, results, runAts, messages, types, owner));
        return smallBatches.run(n, client -> client.preparedQuery(Table.JOBS.sql("set_outcome_if_running_many")).execute(params))
                .map(rows -> {
                    Set<UUID> written = new HashSet<>();
                    if (rows.size() > 0) {
                        int id = Columns.of(rows).at("id");
                        for (Row row : rows) {
                            written.add(row.getUUID(id));
                        }
                    }
                    return written;
                });
    }
}
