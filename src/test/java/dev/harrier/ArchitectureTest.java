package dev.harrier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps the dependency directions of docs/ARCHITECTURE.md: api and ops on top, then the streams,
 * the worker and maintenance, the kinds over the outbound client, the queue and the events, the
 * notifier, and at the bottom the handler SPI, the document types, SQL, time and configuration.
 * Nothing points back up, and no two packages depend on each other.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.harrier");

    private static final String[] SQL = {"io.vertx.sqlclient..", "io.vertx.mutiny.sqlclient..", "io.vertx.pgclient.."};

    @Test
    void packagesDoNotDependOnEachOtherInACircle() {
        slices().matching("dev.harrier.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theHandlerSpiKnowsNothingOfSqlNorOfWhatRunsIt() {
        noClasses().that().resideInAPackage("dev.harrier.handler..")
                .should().dependOnClassesThat().resideInAnyPackage(SQL)
                .check(MAIN);
        noClasses().that().resideInAPackage("dev.harrier.handler..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.worker..",
                        "dev.harrier.events..", "dev.harrier.maintenance..", "dev.harrier.kinds..", "dev.harrier.http..",
                        "dev.harrier.api..", "dev.harrier.stream..")
                .check(MAIN);
    }

    @Test
    void nothingReachesUpIntoTheApi() {
        noClasses().that().resideOutsideOfPackages("dev.harrier.api..", "dev.harrier.ops..")
                .should().dependOnClassesThat().resideInAPackage("dev.harrier.api..")
                .check(MAIN);
    }

    @Test
    void streamsFollowEventsAndTheNotifierNeverTheApiOrTheEngine() {
        noClasses().that().resideInAPackage("dev.harrier.stream..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.api..", "dev.harrier.worker..",
                        "dev.harrier.kinds..", "dev.harrier.maintenance..")
                .check(MAIN);
        noClasses().that().resideInAnyPackage("dev.harrier.events..", "dev.harrier.notify..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.api..", "dev.harrier.stream..",
                        "dev.harrier.queue..", "dev.harrier.worker..", "dev.harrier.maintenance..", "dev.harrier.kinds..")
                .check(MAIN);
        // Events are written and read; who hears of them (the streams, over the notifier) is not their business.
        noClasses().that().resideInAPackage("dev.harrier.events..")
                .should().dependOnClassesThat().resideInAPackage("dev.harrier.notify..")
                .check(MAIN);
    }

    @Test
    void remoteWorkersGoThroughTheQueueNotTheEngine() {
        // A remote worker's attempt is written by the same statements and appender as the engine's,
        // never by reaching into the engine of this instance (the worker may talk to any instance).
        noClasses().that().resideInAPackage("dev.harrier.remote..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.worker..", "dev.harrier.kinds..",
                        "dev.harrier.stream..", "dev.harrier.maintenance..", "dev.harrier.schedule..")
                .check(MAIN);
        noClasses().that().resideOutsideOfPackages("dev.harrier.api..", "dev.harrier.remote..")
                .should().dependOnClassesThat().resideInAPackage("dev.harrier.remote..")
                .check(MAIN);
    }

    @Test
    void kindsUseTheClientAndTheClientKnowsNoKind() {
        noClasses().that().resideInAPackage("dev.harrier.http..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.kinds..", "dev.harrier.worker..",
                        "dev.harrier.queue..", "dev.harrier.events..", "dev.harrier.stream..", "dev.harrier.api..")
                .check(MAIN);
        noClasses().that().resideInAPackage("dev.harrier.kinds..")
                .should().dependOnClassesThat().resideInAnyPackage(SQL)
                .check(MAIN);
        noClasses().that().resideInAPackage("dev.harrier.kinds..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.worker..",
                        "dev.harrier.events..")
                .check(MAIN);
    }

    @Test
    void theQueueAndMaintenanceDoNotReachIntoTheWorker() {
        noClasses().that().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.maintenance..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.worker..", "dev.harrier.stream..",
                        "dev.harrier.kinds..", "dev.harrier.http..")
                .check(MAIN);
        noClasses().that().resideInAPackage("dev.harrier.maintenance..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.events..")
                .check(MAIN);
    }

    @Test
    void pipelinesFollowTheQueueAndTemplatesKnowNothing() {
        // Templates are a scanner over JSON: no job, no SQL, nothing of Harrier.
        noClasses().that().resideInAPackage("dev.harrier.template..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.handler..",
                        "dev.harrier.sql..", "dev.harrier.api..", "dev.harrier.kinds..", "dev.harrier.pipeline..")
                .check(MAIN);
        // What follows a job's end is enqueued through the queue, never by the engine or the API.
        noClasses().that().resideInAPackage("dev.harrier.pipeline..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.worker..", "dev.harrier.kinds..",
                        "dev.harrier.api..", "dev.harrier.remote..", "dev.harrier.stream..", "dev.harrier.maintenance..")
                .check(MAIN);
        noClasses().that().resideOutsideOfPackages("dev.harrier.pipeline..")
                .should().dependOnClassesThat().resideInAPackage("dev.harrier.pipeline..")
                .check(MAIN);
        // The signing secrets are read by the kinds and the API; they know neither.
        noClasses().that().resideInAPackage("dev.harrier.signing..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.kinds..", "dev.harrier.api..",
                        "dev.harrier.queue..", "dev.harrier.worker..")
                .check(MAIN);
    }

    @Test
    void bootIsOnlyUsedByOperations() {
        noClasses().that().resideOutsideOfPackages("dev.harrier.boot..", "dev.harrier.ops..", "dev.harrier.config..")
                .should().dependOnClassesThat().resideInAPackage("dev.harrier.boot..")
                .check(MAIN);
    }

    @Test
    void timeAndSqlSitAtTheBottom() {
        String[] above = {"dev.harrier.api..", "dev.harrier.stream..", "dev.harrier.worker..", "dev.harrier.maintenance..",
            "dev.harrier.kinds..", "dev.harrier.http..", "dev.harrier.queue..", "dev.harrier.events..", "dev.harrier.notify..",
            "dev.harrier.document..", "dev.harrier.handler..", "dev.harrier.ops..", "dev.harrier.boot.."};
        noClasses().that().resideInAPackage("dev.harrier.time..")
                .should().dependOnClassesThat().resideInAnyPackage(above)
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.harrier.sql..", "dev.harrier.config..")
                .check(MAIN);
        noClasses().that().resideInAPackage("dev.harrier.sql..")
                .should().dependOnClassesThat().resideInAnyPackage(above)
                .check(MAIN);
    }
}
