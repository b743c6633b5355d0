package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.handler.FieldProblem;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class JobSubmitterTest {

    @Inject
    JobSubmitter submitter;

    @Inject
    ObjectMapper mapper;

    @Inject
    Pool pool;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private JobRequest request(String kind, String args) throws Exception {
        return JobRequest.of(kind, args == null ? null : mapper.readTree(args));
    }

    private List<FieldProblem> problemsOf(JobRequest request) {
        try {
            submitter.submit("default", List.of(request)).await().indefinitely();
        } catch (InvalidJobException e) {
            assertThat(e.problems()).allSatisfy(p -> assertThat(p.field()).startsWith("jobs[0]"));
            return e.forOneJob().problems();
        }
        throw new AssertionError("accepted: " + request);
    }

    @Test
    void unknownAndMissingKindsAreNamed() throws Exception {
        assertThat(problemsOf(request("nope", "{}"))).extracting(FieldProblem::field).containsExactly("kind");
        assertThat(problemsOf(request(null, "{}")).get(0).message()).isEqualTo("is required");
    }

    @Test
    void argumentsAreReadStrictlyWithFieldLevelMessages() throws Exception {
        assertThat(problemsOf(request("noop", "{\"sleepMs\": \"soon\"}")))
                .containsExactly(new FieldProblem("args.sleepMs", "must be a whole number, not 'soon'"));
        assertThat(problemsOf(request("noop", "{\"sleepMs\": 1, \"extra\": true}")))
                .containsExactly(new FieldProblem("args.extra", "is not a known field"));
        assertThat(problemsOf(request("noop", "{\"sleepMs\": -1}")))
                .extracting(FieldProblem::field).containsExactly("args.sleepMs");
        assertThat(problemsOf(request("noop", "[1, 2]")))
                .containsExactly(new FieldProblem("args", "must be a JSON object"));
    }

    @Test
    void numbersOutOfRangeAreRefusedAndNothingIsWritten() throws Exception {
        JobRequest bad = new JobRequest("noop", "bad queue!", mapper.readTree("{}"), 10, null, 0, 0, "", List.of(""), null);

        assertThat(problemsOf(bad)).extracting(FieldProblem::field)
                .containsExactlyInAnyOrder("queue", "priority", "maxAttempts", "timeoutSeconds", "uniqueKey", "tags[0]");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs")).isZero();
    }

    @Test
    void oneBadEntryRejectsTheWholeBatchNamingItsIndex() throws Exception {
        List<JobRequest> batch = new ArrayList<>(Collections.nCopies(5, request("noop", "{}")));
        batch.set(3, request("noop", "{\"sleepMs\": \"x\"}"));

        assertThatThrownBy(() -> submitter.submit("default", batch).await().indefinitely())
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("jobs[3].args.sleepMs"));
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs")).isZero();
    }

    @Test
    void aBatchOfMoreThanTenThousandIsRefused() throws Exception {
        List<JobRequest> batch = Collections.nCopies(10_001, request("noop", "{}"));

        assertThatThrownBy(() -> submitter.submit("default", batch).await().indefinitely())
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.problems().get(0).field()).isEqualTo("jobs"));
    }

    @Test
    void aBatchKeepsItsOrderAndAParentMustBeInTheSameWorkspace() throws Exception {
        List<JobRequest> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(new JobRequest("noop", "q" + (i % 3), mapper.readTree("{\"sleepMs\": " + i + "}"), null, null, null, null, null, List.of("n:" + i), null));
        }
        List<EnqueueResult> results = submitter.submit("default", batch).await().indefinitely();

        for (int i = 0; i < 100; i++) {
            assertThat(results.get(i).job().argsJson()).contains("\"sleepMs\": " + i);
            assertThat(results.get(i).job().tags()).containsExactly("n:" + i);
        }
        UUID parent = results.get(0).job().id();
        JobRequest child = new JobRequest("noop", null, mapper.readTree("{}"), null, null, null, null, null, null, parent);
        assertThat(submitter.submit("default", List.of(child)).await().indefinitely().get(0).job().parentId()).isEqualTo(parent);
        assertThat(problemsOf(new JobRequest("noop", null, mapper.readTree("{}"), null, null, null, null, null, null, UUID.randomUUID())))
                .extracting(FieldProblem::field).containsExactly("parentId");
        assertThatThrownBy(() -> submitter.submit("other", List.of(child)).await().indefinitely()).isInstanceOf(InvalidJobException.class);
    }

    @Test
    void anEnqueueInsideACallersTransactionIsRolledBackWithIt() throws Exception {
        JobRequest job = request("noop", "{}");

        assertThatThrownBy(() -> pool.withTransaction(tx -> submitter.submit(tx, "default", List.of(job))
                        .flatMap(r -> Uni.createFrom().failure(new IllegalStateException("caller fails"))))
                .await().indefinitely()).hasMessageContaining("caller fails");
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs")).isZero();

        pool.withTransaction(tx -> submitter.submit(tx, "default", List.of(job))).await().indefinitely();
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs")).isEqualTo(1);
    }
}
