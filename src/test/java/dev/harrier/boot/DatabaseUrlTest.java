package dev.harrier.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void aSupabaseStyleUrlGivesReactiveAndJdbcUrlsWithCredentialsApart() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:s3cr%40t@db.example.com:6543/postgres?sslmode=require", "HARRIER_DB_URL");

        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isEqualTo("s3cr@t");
        assertThat(url.reactiveUrl()).isEqualTo("postgresql://db.example.com:6543/postgres?sslmode=require");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/postgres?sslmode=require");
    }

    @Test
    void thePortDefaultsTo5432AndPostgresSchemeAndJdbcPrefixAreAccepted() {
        assertThat(DatabaseUrl.parse("postgres://u@h/db", "X").port()).isEqualTo(5432);
        assertThat(DatabaseUrl.parse("jdbc:postgresql://h:5433/db", "X").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/db");
    }

    @Test
    void describeNeverShowsThePassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://app:topsecret@h:5432/db", "X");

        assertThat(url.describe()).isEqualTo("app@h:5432/db").doesNotContain("topsecret");
    }

    @Test
    void malformedUrlsAreRefusedWithAMessageNamingTheProblem() {
        assertThatThrownBy(() -> DatabaseUrl.parse("not a url", "HARRIER_DB_URL"))
                .isInstanceOf(StartupProblem.class).hasMessageContaining("HARRIER_DB_URL is not a URL");
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:p@h/db", "HARRIER_DB_URL"))
                .hasMessageContaining("must start with postgresql://");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:p@h:5432/", "HARRIER_DB_URL"))
                .hasMessageContaining("names no database");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db", "HARRIER_DB_URL"))
                .hasMessageContaining("no host");
    }

    @Test
    void aProblemMessageNeverEchoesThePassword() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:hunter2@h/db", "HARRIER_DB_URL"))
                .message().doesNotContain("hunter2");
    }
}
