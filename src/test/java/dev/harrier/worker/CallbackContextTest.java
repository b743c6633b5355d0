package dev.harrier.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.context.SmallRyeThreadContext;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

/**
 * Mutiny decorates every callback with the default thread context. Harrier uses neither JTA
 * transactions nor request-scoped beans, and capturing and restoring them cost about a quarter of
 * the engine's event-loop time in a drain (bench/README.md): application.properties leaves them
 * unchanged, so the default context is empty.
 */
@QuarkusTest
class CallbackContextTest {

    @Test
    void mutinyCallbacksCarryNoThreadContext() {
        SmallRyeThreadContext context = Uni.createFrom().item(1)
                .map(x -> SmallRyeThreadContext.getCurrentThreadContextOrDefaultContexts())
                .await().indefinitely();
        assertThat(context.isEmpty()).isTrue();
    }
}
