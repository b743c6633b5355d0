package dev.harrier.boot;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Harrier's entry point: settles the database (configured, or the embedded default) before Quarkus
 * starts, so a wrong setting ends start-up with one readable line and exit code 1.
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        try {
            DatabaseBootstrap.configure(System.getenv(), System.getProperties(), embeddedAvailable());
        } catch (StartupProblem problem) {
            System.err.println("ERROR [harrier] Cannot start: " + problem.getMessage());
            System.exit(1);
        }
        Quarkus.run(args);
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
