package dev.harrier;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the dependency direction of docs/ARCHITECTURE.md. */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.harrier");

    @Test
    void theHandlerSpiKnowsNothingOfSqlNorOfTheEngine() {
        noClasses().that().resideInAPackage("dev.harrier.handler..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.vertx.sqlclient..", "io.vertx.mutiny.sqlclient..", "io.vertx.pgclient..",
                        "dev.harrier.queue..", "dev.harrier.worker..", "dev.harrier.progress..", "dev.harrier.schedule..")
                .check(MAIN);
    }

    @Test
    void theQueueDoesNotReachIntoTheWorker() {
        noClasses().that().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.progress..", "dev.harrier.schedule..")
                .should().dependOnClassesThat().resideInAPackage("dev.harrier.worker..")
                .check(MAIN);
    }

    @Test
    void progressAndScheduleDoNotDependOnEachOtherOrOnTheQueue() {
        noClasses().that().resideInAPackage("dev.harrier.progress..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.schedule..")
                .check(MAIN);
        noClasses().that().resideInAPackage("dev.harrier.schedule..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.harrier.queue..", "dev.harrier.progress..")
                .check(MAIN);
    }

    @Test
    void bootIsOnlyUsedByOperations() {
        noClasses().that().resideOutsideOfPackages("dev.harrier.boot..", "dev.harrier.ops..", "dev.harrier.config..")
                .should().dependOnClassesThat().resideInAPackage("dev.harrier.boot..")
                .check(MAIN);
    }
}
