package dev.harrier.boot;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import sun.misc.Signal;

/**
 * A stop by SIGTERM (an orchestrator) or Ctrl+C is the normal end of a service: the same graceful
 * shutdown, then exit status 0 rather than the JVM's 143 or 130 (which a wrapper such as Maven's
 * {@code quarkus:run} reports as a failure). Installed once the application has started: a signal
 * during start-up keeps the JVM's own handling, so it still stops the process.
 */
@ApplicationScoped
public class StopSignals {

    void onStart(@Observes StartupEvent event) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> Quarkus.asyncExit(0));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // The platform keeps its own handler (and its exit status).
            }
        }
    }
}
