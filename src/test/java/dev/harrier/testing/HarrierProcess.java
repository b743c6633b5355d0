package dev.harrier.testing;

import io.restassured.RestAssured;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) run as a separate process, the
 * way a user runs it, with its output in a file. For integration tests of start-up and restarts.
 */
public final class HarrierProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;
    private final int managementPort;

    private HarrierProcess(Process process, Path log, int port, int managementPort) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts the jar with a clean environment (no database settings) plus {@code env}. */
    public static HarrierProcess start(Map<String, String> env) throws IOException {
        String jar = System.getProperty("runner.jar", "target/quarkus-app/quarkus-run.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        int port = freePort();
        int managementPort = freePort();
        Path log = Files.createTempFile("harrier-process", ".log");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("HARRIER_") || k.startsWith("QUARKUS_"));
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        environment.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        environment.putAll(env);
        return new HarrierProcess(builder.start(), log, port, managementPort);
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /** The management interface: health and metrics. */
    public String managementUrl() {
        return "http://localhost:" + managementPort;
    }

    public String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@code /q/health/ready} (management port) answers 200; fails with the output if the process exits. */
    public HarrierProcess awaitReady(Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!isAlive()) {
                throw new AssertionError("the service exited:\n" + output());
            }
            try {
                return RestAssured.get(managementUrl() + "/q/health/ready").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        return this;
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the process did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** Sends SIGINT, as Ctrl+C in a terminal does, and waits for the exit. */
    public int interrupt(Duration timeout) throws InterruptedException, IOException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
        return awaitExit(timeout);
    }

    /** Sends SIGTERM, as an orchestrator does, and waits for a graceful exit. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
