package dev.harrier.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.sql.Table;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

/**
 * The records of a fan-out job's successful items, read a page of items at a time on the sync's
 * transaction: an item whose data is a list gives its elements, other data itself; only JSON
 * objects are records.
 */
final class ItemRecords {

    private static final int PAGE = 500;

    private ItemRecords() {
    }

    static Snapshots.Source of(UUID jobId, ObjectMapper mapper) {
        return new Snapshots.Source() {
            private int after = -1;
            private boolean done;
            private final Deque<JsonNode> pending = new ArrayDeque<>();

            @Override
            public Uni<List<JsonNode>> next(SqlClient tx, int size) {
                if (pending.size() >= size || done) {
                    return Uni.createFrom().item(take(pending, size));
                }
                return tx.preparedQuery(Table.JOB_ITEMS.sql("list_data_after"))
                        .execute(Tuple.of(jobId, after, PAGE))
                        .flatMap(rows -> {
                            for (Row row : rows) {
                                after = row.getInteger("idx");
                                add(pending, read(mapper, row.getString("data")));
                            }
                            done = rows.size() < PAGE;
                            // A page of items without records: read on until a batch or the end.
                            return next(tx, size);
                        });
            }
        };
    }

    private static void add(Deque<JsonNode> pending, JsonNode data) {
        if (data == null) {
            return;
        }
        if (data.isArray()) {
            data.forEach(element -> {
                if (element.isObject()) {
                    pending.add(element);
                }
            });
        } else if (data.isObject()) {
            pending.add(data);
        }
    }

    private static List<JsonNode> take(Deque<JsonNode> pending, int size) {
        List<JsonNode> batch = new ArrayList<>(Math.min(size, pending.size()));
        while (batch.size() < size && !pending.isEmpty()) {
            batch.add(pending.poll());
        }
        return batch;
    }

    private static JsonNode read(ObjectMapper mapper, String json) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
