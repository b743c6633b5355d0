package dev.harrier.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * What a sync computes of each record before it is staged: its key (the JSON array of its key
 * fields' values, a missing field as {@code null}) and the SHA-256 of its canonical JSON (object
 * keys sorted at every level, no spaces), so that a record whose fields come in another order is
 * the same content.
 */
public final class Snapshots {

    /** A record's largest canonical JSON: the contract's limit of a record. */
    public static final int MAX_RECORD_BYTES = 64 * 1024;

    private Snapshots() {
    }

    /** Where a snapshot's records come from, a batch at a time (empty: no more), read on the sync's transaction if need be. */
    public interface Source {
        Uni<List<JsonNode>> next(SqlClient transaction, int size);
    }

    /** Where records come from a batch at a time, in memory or parsed as they are asked for. */
    public interface Batches {
        List<JsonNode> next(int size);
    }

    /** A source of records that need no database. */
    public static Source of(Batches batches) {
        return (transaction, size) -> Uni.createFrom().item(() -> batches.next(size));
    }

    /** A source over records already in memory. */
    public static Source of(JsonNode array) {
        int[] at = {0};
        return of(size -> {
            List<JsonNode> batch = new ArrayList<>(Math.min(size, array.size() - at[0]));
            while (batch.size() < size && at[0] < array.size()) {
                batch.add(array.get(at[0]++));
            }
            return batch;
        });
    }

    /** The key of a record: its key fields' values, in order. */
    public static ArrayNode key(JsonNode record, List<String> fields) {
        ArrayNode key = JsonNodeFactory.instance.arrayNode(fields.size());
        for (String field : fields) {
            JsonNode value = record.get(field);
            key.add(value == null ? NullNode.getInstance() : value);
        }
        return key;
    }

    /** The canonical JSON text of a value: object keys sorted at every level. */
    public static String canonical(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    public static byte[] hash(String canonical) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(JsonNode value, StringBuilder out) {
        if (value.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                sorted.put(name, value.get(name));
            }
            out.append('{');
            boolean first = true;
            for (var field : sorted.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(JsonNodeFactory.instance.textNode(field.getKey()).toString()).append(':');
                write(field.getValue(), out);
            }
            out.append('}');
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(value.get(i), out);
            }
            out.append(']');
        } else {
            out.append(value.toString());
        }
    }
}
