package dev.harrier.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Harrier's tables, each with its statements in one resource, {@code sql/<table>.sql}: the SQL that
 * runs is the SQL in that file, written out, to be read or pasted into {@code EXPLAIN} as it is. A
 * statement lives with the table it writes, or else reads first. Callers name the statement where
 * they run it: {@code pool.preparedQuery(Table.JOBS.sql("claim"))}.
 */
public enum Table {

    JOBS("jobs"),
    JOB_EVENTS("job_events"),
    JOB_ITEMS("job_items"),
    QUEUES("queues"),
    INSTANCES("instances"),
    LEADERS("leaders"),
    API_KEYS("api_keys"),
    SECRETS("secrets"),
    SCHEDULES("schedules"),
    KINDS("kinds"),
    JOB_FOLLOWUPS("job_followups"),
    DATASETS("datasets"),
    RECORDS("records"),
    SIGNING_SECRETS("signing_secrets"),
    LIMITS("limits"),
    LIMIT_HOLDS("limit_holds"),
    QUEUE_HOLDS("queue_holds"),
    WORKSPACE_SECRETS("workspace_secrets"),
    FLYWAY_SCHEMA_HISTORY("flyway_schema_history");

    private final String resource;
    private final Map<String, String> statements;

    Table(String name) {
        this.resource = "sql/" + name + ".sql";
        this.statements = NamedStatements.parse(read(resource));
    }

    /** The statement of that name; fails for a name the file does not have. */
    public String sql(String name) {
        String statement = statements.get(name);
        if (statement == null) {
            throw new IllegalArgumentException("no statement " + name + " in " + resource);
        }
        return statement;
    }

    /** Every statement of the table, by name, in the file's order. */
    public Map<String, String> statements() {
        return statements;
    }

    public String resource() {
        return resource;
    }

    private static String read(String resource) {
        try (InputStream in = Table.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
