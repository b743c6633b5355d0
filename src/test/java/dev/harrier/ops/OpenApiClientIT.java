package dev.harrier.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harrier.boot.DatabaseUrl;
import dev.harrier.testing.HarrierProcess;
import dev.harrier.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document as a client's tools read it: Redocly's linter passes it (recommended rules,
 * no errors), openapi-typescript generates types from it, and a client written against those types
 * (src/test/typescript/client.ts, openapi-fetch) compiles and then declares a kind, enqueues, claims,
 * reports and completes a job on the packaged service.
 */
class OpenApiClientIT {

    private static final String KEY = "it-openapi-key-0123456789";
    private static final Path SOURCES = Path.of("src", "test", "typescript");
    private static final Path WORK = Path.of("target", "openapi-client");

    @Test
    void aTypedClientGeneratedFromTheDocumentCompilesAndWorks() throws Exception {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "tsconfig.json", "redocly.yaml", "client.ts")) {
            Files.copy(SOURCES.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        install();
        DatabaseUrl db = TestDatabase.url();
        String url = "postgresql://" + (db.user() == null ? "" : db.user() + "@") + db.host() + ":" + db.port() + "/" + db.database();
        try (HarrierProcess harrier = HarrierProcess.start(Map.of("HARRIER_DB_URL", url, "HARRIER_API_KEYS", "default:" + KEY))) {
            harrier.awaitReady(Duration.ofSeconds(60));
            String document = given().accept("application/json").get(harrier.baseUrl() + "/q/openapi?format=json")
                    .then().statusCode(200).extract().asString();
            Files.writeString(WORK.resolve("openapi.json"), document);

            run(Map.of(), "npx", "redocly", "lint", "openapi.json");
            run(Map.of(), "npx", "openapi-typescript", "openapi.json", "-o", "schema.d.ts");
            run(Map.of(), "npx", "tsc", "-p", ".");
            String output = run(Map.of("HARRIER_URL", harrier.baseUrl(), "HARRIER_API_KEY", KEY), "node", "dist/client.js");
            assertThat(output).contains("typed client: ok");
        } finally {
            TestDatabase.clean(); // the next test of this database starts from no jobs
        }
    }

    /**
     * The pinned tools (package-lock.json), before the service starts. The registry is the one part
     * out of this machine's hands: an install that has not finished in three minutes is stopped and
     * tried once more (one once stalled past five minutes in a CI run, then took 20 s).
     */
    private static void install() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(WORK.toFile())
                    .redirectErrorStream(true).redirectOutput(Files.createTempFile("npm-ci", ".log").toFile()).start();
            if (npm.waitFor(3, TimeUnit.MINUTES) && npm.exitValue() == 0 || attempt == 2) {
                if (npm.isAlive()) {
                    npm.destroyForcibly();
                }
                assertThat(npm.isAlive() || npm.exitValue() != 0).as("npm ci, twice").isFalse();
                return;
            }
            npm.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("openapi-client", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly();
        }
        assertThat(ended).as("%s in time", String.join(" ", command)).isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as("%s:\n%s", String.join(" ", command), output).isZero();
        return output;
    }
}
