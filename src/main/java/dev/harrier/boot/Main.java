package dev.harrier.boot;

import dev.harrier.runonce.RunOnce;
import dev.harrier.runonce.RunOnceArgs;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * Harrier's entry point: settles the database (configured, or the embedded default) before Quarkus
 * starts, so a wrong setting ends start-up with one readable line and exit code 1.
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        if (args.length > 0 && RunOnceArgs.COMMAND.equals(args[0])) {
            runOnce(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        try {
            settle();
        } catch (StartupProblem problem) {
            System.err.println("ERROR [harrier] Cannot start: " + problem.getMessage());
            System.exit(1);
        }
        Quarkus.run(args);
    }

    /**
     * {@code run-once}: the same start without the service's loops, HTTP ports of its own choosing
     * (a service may hold 8080 and 9000 on the machine), logs on standard error only, and exit
     * status 2 with one line on standard error when it cannot start.
     */
    private static void runOnce(String[] args) {
        try {
            RunOnceArgs.parse(args);
            System.setProperty("quarkus.http.port", "0");
            System.setProperty("quarkus.http.host", "127.0.0.1");
            System.setProperty("quarkus.management.port", "0");
            System.setProperty("quarkus.management.host", "127.0.0.1");
            System.setProperty("quarkus.log.console.stderr", "true");
            System.setProperty("quarkus.banner.enabled", "false");
            System.setProperty("harrier.worker.enabled", "false");
            System.setProperty("harrier.maintenance.enabled", "false");
            System.setProperty("harrier.schedule.enabled", "false");
            settle();
        } catch (StartupProblem | IllegalArgumentException problem) {
            System.err.println("ERROR [harrier] run-once cannot start: " + problem.getMessage());
            System.exit(2);
        }
        Quarkus.run(RunOnce.class, (status, failure) -> {
            if (failure != null) {
                System.err.println("ERROR [harrier] run-once cannot start: " + failure.getMessage());
                System.exit(2);
            }
            System.exit(status);
        }, args);
    }

    /** The database, configured for Quarkus, and the secrets keys checked against what it holds. */
    private static void settle() {
        DatabaseUrl url = DatabaseBootstrap.configure(System.getenv(), System.getProperties(), embeddedAvailable());
        if (url != null) {
            SecretsPreflight.check(url, System.getenv(), System.getProperties());
        }
    }

    private static boolean embeddedAvailable() {
        // Set by GraalVM in a native executable (what ImageInfo.inImageRuntimeCode() reads).
        if ("runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            return false;
        }
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false, Main.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
