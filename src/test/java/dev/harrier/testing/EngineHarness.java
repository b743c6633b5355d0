package dev.harrier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.config.HarrierConfig;
import dev.harrier.queue.EnqueueResult;
import dev.harrier.queue.Job;
import dev.harrier.queue.JobActions;
import dev.harrier.queue.JobRequest;
import dev.harrier.queue.JobStatus;
import dev.harrier.queue.JobSubmitter;
import dev.harrier.worker.Engine;
import dev.harrier.worker.EngineFactory;
import dev.harrier.worker.EngineSettings;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/**
 * Starts engines ("instances") inside a test, enqueues, and waits for statuses. Background loops
 * run only in the engines a test starts; {@link #stopAll()} stops them after each test.
 */
@ApplicationScoped
public class EngineHarness {

    private final EngineFactory factory;
    private final HarrierConfig config;
    private final JobSubmitter submitter;
    private final JobActions actions;
    private final ObjectMapper mapper;
    private final Pool pool;
    private final List<Engine> engines = new ArrayList<>();

    public EngineHarness(EngineFactory factory, HarrierConfig config, JobSubmitter submitter, JobActions actions,
                         ObjectMapper mapper, Pool pool) {
        this.factory = factory;
        this.config = config;
        this.submitter = submitter;
        this.actions = actions;
        this.mapper = mapper;
        this.pool = pool;
    }

    public EngineSettings settings(String instanceId) {
        return EngineSettings.from(config).toBuilder().instanceId(instanceId).build();
    }

    public Engine start(String instanceId) {
        return start(instanceId, b -> b);
    }

    public Engine start(String instanceId, UnaryOperator<EngineSettings.Builder> tweak) {
        Engine engine = factory.create(tweak.apply(settings(instanceId).toBuilder()).build());
        engine.start().await().atMost(Duration.ofSeconds(20));
        synchronized (engines) {
            engines.add(engine);
        }
        return engine;
    }

    public void stop(Engine engine) {
        synchronized (engines) {
            engines.remove(engine);
        }
        engine.stop().await().atMost(Duration.ofSeconds(60));
    }

    public void stopAll() {
        List<Engine> copy;
        synchronized (engines) {
            copy = new ArrayList<>(engines);
        }
        copy.forEach(this::stop);
    }

    public JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    public EnqueueResult submit(String kind, String args) {
        return submit(JobRequest.of(kind, json(args)));
    }

    public EnqueueResult submit(JobRequest request) {
        return submitter.submit("default", List.of(request)).await().atMost(Duration.ofSeconds(20)).get(0);
    }

    public List<EnqueueResult> submitMany(List<JobRequest> requests) {
        return submitter.submit("default", requests).await().atMost(Duration.ofSeconds(60));
    }

    private JobStatus statusOf(UUID id) {
        return pool.preparedQuery("SELECT status::text FROM harrier.jobs WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> JobStatus.fromWire(rows.iterator().next().getString(0)))
                .await().atMost(Duration.ofSeconds(10));
    }

    public Job job(UUID id) {
        return actions.get(id).await().atMost(Duration.ofSeconds(10)).orElseThrow();
    }

    public Job awaitStatus(UUID id, JobStatus status, Duration within) {
        // Polls the status column alone: the whole row holds the job's arguments, megabytes for a
        // scrape of 100,000 URLs, and reading them a hundred times a second would load PostgreSQL
        // more than the job under test does.
        // A poll that fails is polled again: tests that kill backends may kill a pooled connection
        // the moment before this poll takes it ("Connection is not active now").
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                .until(() -> statusOf(id) == status);
        return job(id);
    }
}
