package dev.harrier.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.harrier.testing.Management;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthAndOperationsTest {

    @Test
    void livenessIsUp() {
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessIsUpWithTheSchemaAtTheMigratedVersion() {
        var schema = Management.given().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("schema"))
                .extract().jsonPath();
        String applied = schema.getString("checks.find { it.name == 'schema' }.data.applied");
        assertThat(applied).isNotEqualTo("null").isEqualTo(schema.getString("checks.find { it.name == 'schema' }.data.expected"));
        assertThat(applied).as("the newest migration on the class path").isEqualTo(newestMigration());
    }

    private static String newestMigration() {
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            return files.map(f -> f.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1"))
                    .max(Comparator.comparingInt(Integer::parseInt)).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readinessIsDownWhileTheDatabaseSchemaIsNotTheOneThisBuildMigratesTo() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO harrier.flyway_schema_history
                        (installed_rank, version, description, type, script, installed_by, execution_time, success)
                    VALUES (999, '999', 'from a newer build', 'SQL', 'V999__x.sql', 'test', 0, true)""");
            try {
                Management.given().get("/q/health/ready").then()
                        .statusCode(503)
                        .body("status", equalTo("DOWN"))
                        .body("checks.find { it.name == 'schema' }.data.applied", equalTo("999"));
            } finally {
                s.execute("DELETE FROM harrier.flyway_schema_history WHERE installed_rank = 999");
            }
        }
        Management.given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void probesAnswerWhateverTheOrigin() {
        Management.given().header("Origin", "https://elsewhere.example").get("/q/health/ready").then().statusCode(200);
        Management.given().header("Origin", "https://elsewhere.example").get("/q/health/live").then().statusCode(200);
    }

    @Test
    void prometheusMetricsAreServed() {
        Management.given().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("# TYPE"));
    }

    @Test
    void theOpenApiDocumentIsServedWithEveryEndpoint() {
        given().accept("application/json").get("/q/openapi").then()
                .statusCode(200)
                .body("info.title", equalTo("Harrier"))
                .body("paths.'/api/v1/jobs'.post", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs'.get", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/batch'.post", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}'.get", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}/cancel'.post", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}/retry'.post", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}/logs'.get", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}/items'.get", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}/events'.get", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}/tokens'.post", Matchers.notNullValue())
                .body("paths.'/api/v1/events'.get", Matchers.notNullValue())
                .body("paths.'/api/v1/queues'.get", Matchers.notNullValue())
                .body("paths.'/api/v1/queues/{name}'.patch", Matchers.notNullValue())
                .body("components.schemas.JobDocument.properties.status", Matchers.notNullValue())
                .body("components.schemas.Problem.properties.errors", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs'.post.responses.'400'.content.'application/problem+json'", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs'.post.responses.'413'", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}/cancel'.post.responses.'409'", Matchers.notNullValue())
                .body("paths.'/api/v1/jobs/{id}'.get.responses.'404'", Matchers.notNullValue())
                .body("components.securitySchemes.apiKey.scheme", equalTo("bearer"));
    }
}
