package dev.harrier.testing;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * One seed example started as a user starts it, {@code examples/run.sh NNN}: its stubs, the packaged
 * service (on the test database, free ports, a known key) and its setup, as one process whose
 * output goes to a file. The test then acts through the API and reads the stubs' {@code /_state}.
 */
public final class ExampleProcess implements AutoCloseable {

    public static final String KEY = "hk_example_it_0123456789abcdef";

    private final Process process;
    private final Path output;
    private final int port;
    private final int stubPort;

    private ExampleProcess(Process process, Path output, int port, int stubPort) {
        this.process = process;
        this.output = output;
        this.port = port;
        this.stubPort = stubPort;
    }

    /** Starts {@code examples/run.sh number} with {@code env} on top, and waits until its setup is done. */
    public static ExampleProcess start(String number, int stubs, Map<String, String> env) throws IOException {
        int port = freePort();
        int stubPort = freePorts(stubs);
        Path output = Files.createTempFile("harrier-example-" + number, ".log");
        ProcessBuilder builder = new ProcessBuilder("bash", "examples/run.sh", number).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("HARRIER_") || k.startsWith("QUARKUS_") || k.startsWith("EXAMPLE_"));
        Map<String, String> settings = new HashMap<>(Map.of(
                "HARRIER_DB_URL", TestDatabase.serviceUrl(),
                "HARRIER_JAR", System.getProperty("runner.jar", "target/quarkus-app/quarkus-run.jar"),
                "JAVA", ProcessHandle.current().info().command().orElse("java"),
                "EXAMPLE_KEY", KEY,
                "EXAMPLE_PORT", Integer.toString(port),
                "EXAMPLE_MANAGEMENT_PORT", Integer.toString(freePort()),
                "EXAMPLE_STUB_PORT", Integer.toString(stubPort)));
        settings.putAll(env);
        environment.putAll(settings);
        ExampleProcess example = new ExampleProcess(builder.start(), output, port, stubPort);
        try {
            example.awaitLine("Example " + number + " is running", Duration.ofSeconds(120));
        } catch (RuntimeException | Error e) {
            example.close(); // its stubs and service stop too
            throw e;
        }
        return example;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /** The API with the example's key. */
    public RequestSpecification api() {
        return RestAssured.given().baseUri(baseUrl()).header("Authorization", "Bearer " + KEY).contentType("application/json");
    }

    /** The address of the example's stub number {@code index} (0: the first port). */
    public String stub(int index) {
        return "http://127.0.0.1:" + (stubPort + index);
    }

    /** What stub number {@code index} was sent: its {@code GET /_state}. */
    public JsonPath state(int index) {
        return RestAssured.get(stub(index) + "/_state").then().statusCode(200).extract().jsonPath();
    }

    private String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private void awaitLine(String text, Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
            String out = output();
            if (!process.isAlive() && !out.contains(text)) {
                throw new AssertionError("examples/run.sh exited (" + process.exitValue() + "):\n" + out);
            }
            return out.contains(text);
        });
    }

    /**
     * Ctrl+C's equivalent: run.sh stops the service, the stubs and the worker. Then the test
     * database is emptied: the example's secrets are sealed with a key later tests do not have.
     */
    @Override
    public void close() throws IOException {
        try {
            new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start().waitFor();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        TestDatabase.clean();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The first of {@code count} consecutive ports that are free now. */
    private static int freePorts(int count) {
        for (int tries = 0; tries < 100; tries++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            boolean free = true;
            for (int i = 0; i < count && free; i++) {
                try (ServerSocket socket = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
                    free = socket.getLocalPort() == base + i;
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports");
    }
}
