package dev.harrier.secret;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.TestDatabase;
import io.restassured.http.ContentType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The secrets key as an operator lives with it, on the packaged jar: without a key the endpoints
 * say how to set one; a key that cannot open the stored secrets (or none) stops start-up with one
 * line; an old key in HARRIER_SECRETS_OLD_KEYS opens them, and start-up seals them again with the
 * new one, so the old key can go.
 */
class SecretsKeyIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final String API_KEY = "secrets-it-key";

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static Map<String, String> env(String key, String oldKeys) {
        Map<String, String> env = new HashMap<>(Map.of("HARRIER_DB_URL", TestDatabase.serviceUrl(), "HARRIER_API_KEYS",
                "default:" + API_KEY, "HARRIER_WORKER_ENABLED", "false"));
        if (key != null) {
            env.put("HARRIER_SECRETS_KEY", key);
        }
        if (oldKeys != null) {
            env.put("HARRIER_SECRETS_OLD_KEYS", oldKeys);
        }
        return env;
    }

    /** The packaged jars of the other tests share the database, and have no key: the sealed secret must go. */
    @AfterEach
    void removeTheSecret() {
        TestDatabase.clean();
    }

    @Test
    void aKeyThatCannotOpenTheSecretsStopsStartUpAndAnOldKeyRotatesThem() throws Exception {
        TestDatabase.cleanIfMigrated();
        String first = newKey();
        String second = newKey();

        try (HarrierProcess noKey = HarrierProcess.start(env(null, null))) {
            noKey.awaitReady(READY);
            given().baseUri(noKey.baseUrl()).header("Authorization", "Bearer " + API_KEY).contentType(ContentType.JSON)
                    .body("{\"value\": \"abcdefgh12345\"}").put("/api/v1/secrets/APOLLO_KEY").then()
                    .statusCode(409).body("detail", containsString("HARRIER_SECRETS_KEY"));
            noKey.stop(Duration.ofSeconds(30));
        }
        TestDatabase.clean();

        try (HarrierProcess sealing = HarrierProcess.start(env(first, null))) {
            sealing.awaitReady(READY);
            given().baseUri(sealing.baseUrl()).header("Authorization", "Bearer " + API_KEY).contentType(ContentType.JSON)
                    .body("{\"value\": \"abcdefgh12345\"}").put("/api/v1/secrets/APOLLO_KEY").then().statusCode(204);
            sealing.stop(Duration.ofSeconds(30));
        }
        String sealedBy = TestDatabase.queryText("SELECT key_id FROM harrier.workspace_secrets");

        for (Map<String, String> refused : List.of(env(null, null), env(second, null))) {
            try (HarrierProcess process = HarrierProcess.start(refused)) {
                assertThat(process.awaitExit(READY)).isEqualTo(1);
                String output = process.output().strip();
                assertThat(output).as("one line").doesNotContain("\n").startsWith("ERROR [harrier] Cannot start: ")
                        .containsAnyOf("HARRIER_SECRETS_KEY is not set", "no configured key has the id " + sealedBy);
            }
        }

        try (HarrierProcess rotating = HarrierProcess.start(env(second, first))) {
            rotating.awaitReady(READY);
            assertThat(rotating.output()).contains("Sealed 1 secrets again");
            rotating.stop(Duration.ofSeconds(30));
        }
        assertThat(TestDatabase.queryText("SELECT key_id FROM harrier.workspace_secrets")).isNotEqualTo(sealedBy);

        try (HarrierProcess rotated = HarrierProcess.start(env(second, null))) {
            rotated.awaitReady(READY);
            given().baseUri(rotated.baseUrl()).header("Authorization", "Bearer " + API_KEY).get("/api/v1/secrets").then()
                    .statusCode(200).body("secrets[0].name", equalTo("APOLLO_KEY"));
            rotated.stop(Duration.ofSeconds(30));
        }
    }
}
