package dev.harrier.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.config.HarrierConfig;
import dev.harrier.document.ApiProblem;
import dev.harrier.handler.FieldProblem;
import dev.harrier.queue.InvalidJobException;
import dev.harrier.schedule.Schedule;
import dev.harrier.schedule.ScheduleStore;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The schedule file ({@code HARRIER_SCHEDULES_FILE}), applied at every start with the semantics of
 * {@code PUT}: its schedules are created or replaced (shown with {@code "source": "file"}), one of
 * the API's that it names is taken over, and a schedule that came from the file and is no longer in
 * it is deleted. A file that cannot be read, or a schedule in it that a {@code PUT} would refuse,
 * stops the start with the reason: running without schedules the operator declared would be worse.
 */
@ApplicationScoped
public class ScheduleFile {

    private static final Logger LOG = Logger.getLogger(ScheduleFile.class);

    private final HarrierConfig config;
    private final ScheduleResource schedules;
    private final ScheduleStore store;
    private final RequestJson json;
    private final ObjectMapper mapper;

    public ScheduleFile(HarrierConfig config, ScheduleResource schedules, ScheduleStore store, RequestJson json,
                        ObjectMapper mapper) {
        this.config = config;
        this.schedules = schedules;
        this.store = store;
        this.json = json;
        this.mapper = mapper;
    }

    void onStart(@Observes StartupEvent event) {
        // Start-up runs on the main thread: the service answers once its schedules are in place.
        config.schedulesFile().ifPresent(file -> apply(Path.of(file)).await().atMost(Duration.ofSeconds(60)));
    }

    /** Applies the file; fails with a message that names the file, the schedule and the field. */
    public Uni<Void> apply(Path file) {
        String workspace;
        Map<String, JsonNode> declared = new LinkedHashMap<>();
        try {
            JsonNode root = mapper.readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject() || !root.path("schedules").isObject()) {
                throw new IllegalArgumentException("must be {\"workspace\": \"default\", \"schedules\": {\"<name>\": <PUT body>}}");
            }
            JsonNode ws = root.get("workspace");
            workspace = ws == null || ws.isNull() ? "default" : ws.asText();
            root.get("schedules").fields().forEachRemaining(entry -> declared.put(entry.getKey(), entry.getValue()));
        } catch (IOException | IllegalArgumentException e) {
            return Uni.createFrom().failure(problem(file, null, e.getMessage()));
        }
        return Multi.createFrom().iterable(declared.entrySet())
                .onItem().transformToUniAndConcatenate(entry -> put(file, workspace, entry.getKey(), entry.getValue()))
                .collect().asList()
                .flatMap(applied -> store.list(workspace))
                .flatMap(existing -> removeDropped(workspace, existing, declared.keySet()))
                .invoke(removed -> LOG.infof("schedule file %s: %d schedules of workspace %s applied, %d removed",
                        file, declared.size(), workspace, removed))
                .replaceWithVoid();
    }

    private Uni<ScheduleStore.Put> put(Path file, String workspace, String name, JsonNode body) {
        if (!ScheduleResource.NAME.matcher(name).matches()) {
            return Uni.createFrom().failure(problem(file, name, "the name must be 1 to 100 letters, digits or . _ -"));
        }
        Bodies.SchedulePut put;
        try {
            put = json.read(mapper.writeValueAsBytes(body), Bodies.SchedulePut.class);
        } catch (IOException e) {
            return Uni.createFrom().failure(problem(file, name, e.getMessage()));
        }
        return schedules.apply(workspace, name, put, body.get("job"), ScheduleResource.SOURCE_FILE)
                .onFailure().transform(failure -> problem(file, name, describe(failure)));
    }

    private Uni<Integer> removeDropped(String workspace, List<Schedule> existing, Set<String> declared) {
        List<String> dropped = new ArrayList<>();
        for (Schedule schedule : existing) {
            if (ScheduleResource.SOURCE_FILE.equals(schedule.source()) && !declared.contains(schedule.name())) {
                dropped.add(schedule.name());
            }
        }
        return Multi.createFrom().iterable(dropped)
                .onItem().transformToUniAndConcatenate(name -> store.delete(workspace, name))
                .collect().asList().map(List::size);
    }

    private static String describe(Throwable failure) {
        if (failure instanceof ApiProblem api) {
            List<FieldProblem> errors = api.problem().errors();
            return errors == null || errors.isEmpty() ? api.problem().detail()
                    : errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        }
        if (failure instanceof InvalidJobException invalid) {
            return invalid.problems().stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        }
        return failure.getMessage();
    }

    private static IllegalStateException problem(Path file, String name, String message) {
        return new IllegalStateException("HARRIER_SCHEDULES_FILE " + file + (name == null ? "" : ": schedule " + name)
                + ": " + message);
    }
}
