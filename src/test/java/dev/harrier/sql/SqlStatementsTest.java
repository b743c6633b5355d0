package dev.harrier.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every named statement prepares against the migrated schema (PostgreSQL parses, resolves and
 * types it), every one is run by some code, and every one the code names exists.
 */
@QuarkusTest
class SqlStatementsTest {

    private static final Pattern USE = Pattern.compile("Table\\.([A-Z_]+)\\.sql\\(\"([a-z0-9_]+)\"\\)");

    @Inject
    Pool pool;

    @Test
    void everyStatementPreparesAgainstTheMigratedSchema() {
        List<String> failures = new ArrayList<>();
        int prepared = 0;
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            for (Table table : Table.values()) {
                for (var statement : table.statements().entrySet()) {
                    try {
                        connection.prepare(statement.getValue()).await().indefinitely();
                        prepared++;
                    } catch (RuntimeException e) {
                        failures.add(table.resource() + " " + statement.getKey() + ": " + e.getMessage());
                    }
                }
            }
        } finally {
            connection.close().await().indefinitely();
        }
        assertThat(failures).isEmpty();
        assertThat(prepared).isGreaterThan(40);
    }

    @Test
    void theLongestStatementsStayPreparedOnTheirConnection() {
        // Past the client's limit a statement is parsed again at every execution: the outcome and
        // enqueue statements were, until the pool raised it.
        for (Table table : Table.values()) {
            table.statements().forEach((name, sql) -> assertThat(sql.length())
                    .as(table.resource() + " " + name).isLessThanOrEqualTo(PlanningPool.PREPARED_SQL_LIMIT));
        }
        String longest = Table.JOBS.sql("set_outcome_if_running_many");
        assertThat(longest.length()).as("longer than the client's default limit").isGreaterThan(2048);
        String padded = "SELECT $1::int AS one" + " ".repeat(PlanningPool.PREPARED_SQL_LIMIT - 40);
        SqlConnection connection = pool.getConnection().await().indefinitely();
        try {
            connection.preparedQuery(padded).execute(Tuple.of(1)).await().indefinitely();
            connection.preparedQuery(padded).execute(Tuple.of(2)).await().indefinitely();
            long kept = connection.preparedQuery("SELECT count(*) AS kept FROM pg_prepared_statements WHERE statement = $1")
                    .execute(Tuple.of(padded)).await().indefinitely().iterator().next().getLong("kept");
            assertThat(kept).as("kept prepared by the session").isEqualTo(1);
        } finally {
            connection.close().await().indefinitely();
        }
    }

    @Test
    void everyStatementIsRunByTheCodeAndEveryOneItNamesExists() throws IOException {
        Set<String> used = new HashSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher matcher = USE.matcher(Files.readString(file));
                while (matcher.find()) {
                    used.add(matcher.group(1) + "." + matcher.group(2));
                }
            }
        }
        Set<String> declared = new HashSet<>();
        for (Table table : Table.values()) {
            table.statements().keySet().forEach(name -> declared.add(table.name() + "." + name));
        }
        assertThat(used).as("named in the code but in no file").isSubsetOf(declared);
        assertThat(declared).as("in a file but run by no code").isSubsetOf(used);
    }

    @Test
    void aFileIsReadAsNamedStatementsWithoutTheirDocumentationNorTheirSemicolon() {
        var statements = NamedStatements.parse("""
                -- The header.

                -- name: first
                -- What it does.
                SELECT 1
                -- an inner comment stays
                FROM t;

                -- name: second
                UPDATE t SET a = ';' WHERE b = $1;
                """);
        assertThat(statements).containsExactly(
                Map.entry("first", "SELECT 1\n-- an inner comment stays\nFROM t"),
                Map.entry("second", "UPDATE t SET a = ';' WHERE b = $1"));
        assertThatThrownBy(() -> NamedStatements.parse("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;"))
                .hasMessageContaining("two statements are named a");
        assertThatThrownBy(() -> NamedStatements.parse("-- name: a\nSELECT 1;\nSELECT 2;"))
                .hasMessageContaining("more than one");
        assertThatThrownBy(() -> NamedStatements.parse("-- name: a\nSELECT 1;\n--name: claimMany\nSELECT 2;"))
                .as("a name that does not follow the rule is refused, not read as a comment of the statement above")
                .hasMessageContaining("line 3").hasMessageContaining("claimMany");
        assertThatThrownBy(() -> NamedStatements.parse("-- name: a\n-- only documentation\n-- name: b\nSELECT 2;"))
                .hasMessageContaining("line 1: statement a is empty");
        assertThatThrownBy(() -> Table.JOBS.sql("no_such_statement"))
                .hasMessageContaining("sql/jobs.sql");
    }
}
