package dev.harrier.testing;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Registers {@link TestDatabase} for every {@code @QuarkusTest} of the suite. */
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
public final class GlobalTestResources {

    private GlobalTestResources() {
    }
}
