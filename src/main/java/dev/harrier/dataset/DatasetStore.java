package dev.harrier.dataset;

import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A workspace's datasets and their records, as the API reads them; deleting a dataset. */
@ApplicationScoped
public class DatasetStore {

    /** A dataset with its counts and its last sync (null fields before the first). */
    public record Dataset(String name, List<String> key, long version, long active, long expired, UUID lastSyncJobId,
                          Instant lastSyncAt, Integer lastSyncNew, Integer lastSyncChanged, Integer lastSyncExpired) {
    }

    /** One record; {@code keyJson} and {@code dataJson} as JSON text. */
    public record Record(String keyJson, String dataJson, String state, long version, Instant firstSeenAt,
                         Instant lastSeenAt, Instant changedAt, Instant expiredAt) {
    }

    /** Where a page of records ended. */
    public record Position(Instant changedAt, String keyJson) {
    }

    private final Pool pool;

    public DatasetStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Dataset>> list(String workspace) {
        return pool.preparedQuery(Table.DATASETS.sql("list")).execute(Tuple.of(workspace)).map(rows -> {
            List<Dataset> datasets = new ArrayList<>();
            for (Row row : rows) {
                datasets.add(new Dataset(row.getString("name"), Arrays.asList(row.getArrayOfStrings("key_fields")),
                        row.getLong("version"), row.getLong("active"), row.getLong("expired"), row.getUUID("last_sync_job_id"),
                        instant(row.getOffsetDateTime("last_sync_at")), row.getInteger("last_sync_new"),
                        row.getInteger("last_sync_changed"), row.getInteger("last_sync_expired")));
            }
            return datasets;
        });
    }

    /** The dataset's current version, or empty when there is no such dataset. */
    public Uni<Optional<Long>> version(String workspace, String name) {
        return pool.preparedQuery(Table.DATASETS.sql("get")).execute(Tuple.of(workspace, name))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong("version")));
    }

    /** Up to {@code limit} records, newest change first. */
    public Uni<List<Record>> records(String workspace, String name, String state, Instant changedSince, Long afterVersion,
                                     Position after, int limit) {
        Tuple params = Tuple.from(Arrays.asList(workspace, name, state, offset(changedSince), afterVersion,
                after == null ? null : offset(after.changedAt()), after == null ? null : after.keyJson(), limit));
        return pool.preparedQuery(Table.RECORDS.sql("list")).execute(params).map(rows -> {
            List<Record> records = new ArrayList<>();
            for (Row row : rows) {
                records.add(new Record(row.getString("key"), row.getString("data"), row.getString("state"), row.getLong("version"),
                        instant(row.getOffsetDateTime("first_seen_at")), instant(row.getOffsetDateTime("last_seen_at")),
                        instant(row.getOffsetDateTime("changed_at")), instant(row.getOffsetDateTime("expired_at"))));
            }
            return records;
        });
    }

    /** Deletes a dataset and its records; false when there was none. */
    public Uni<Boolean> delete(String workspace, String name) {
        return pool.preparedQuery(Table.DATASETS.sql("delete")).execute(Tuple.of(workspace, name)).map(rows -> rows.size() > 0);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
