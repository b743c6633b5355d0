package dev.harrier.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The view {@code harrier.dataset_records} is an interface apps read with SQL: its columns, their
 * order and types are fixed (new ones may only be added at the end). A migration that changes one
 * fails here, on purpose.
 */
@QuarkusTest
class DatasetViewTest {

    private static final List<String> COLUMNS = List.of(
            "workspace text",
            "dataset text",
            "key jsonb",
            "data jsonb",
            "state text",
            "version bigint",
            "first_seen_at timestamp with time zone",
            "last_seen_at timestamp with time zone",
            "changed_at timestamp with time zone",
            "expired_at timestamp with time zone");

    @Test
    void theViewKeepsItsDocumentedColumns() throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT column_name, data_type FROM information_schema.columns "
                     + "WHERE table_schema = 'harrier' AND table_name = 'dataset_records' ORDER BY ordinal_position")) {
            while (rows.next()) {
                columns.add(rows.getString(1) + " " + rows.getString(2));
            }
        }
        assertThat(columns.subList(0, Math.min(columns.size(), COLUMNS.size()))).isEqualTo(COLUMNS);
    }
}
