package dev.harrier.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harrier.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outcomes and leases on their own: a write lands only where its owner still holds the lease at that attempt. */
@QuarkusTest
class OutcomeWriterTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    JobClaimer claimer;

    @Inject
    JobSubmitter submitter;

    @Inject
    OutcomeWriter writer;

    @Inject
    Leases leases;

    @Inject
    ObjectMapper mapper;

    @BeforeEach
    void clean() {
        TestDatabase.clean();
    }

    private List<ClaimedJob> claimed(int count, String owner) throws Exception {
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(JobRequest.of("noop", mapper.readTree("{}")));
        }
        submitter.submit("default", requests).await().indefinitely();
        return claimer.claim("default", "default", count, owner, LEASE).await().indefinitely().jobs();
    }

    private static String status(UUID id) {
        return TestDatabase.queryText("SELECT status::text FROM harrier.jobs WHERE id = '" + id + "'");
    }

    @Test
    void aBatchOfOutcomesIsWrittenInOneStatementEachWithItsStatusEvent() throws Exception {
        List<ClaimedJob> jobs = claimed(4, "instance-a");
        Instant later = Instant.now().plusSeconds(600);

        var written = writer.write(List.of(Outcome.completed(jobs.get(0), "{\"ok\": true}"),
                Outcome.retrying(jobs.get(1), later, "boom", "handler_error"),
                Outcome.failed(jobs.get(2), "no", "invalid_args"),
                Outcome.handedBack(jobs.get(3), Instant.now())), "instance-a").await().indefinitely();

        assertThat(written).containsExactlyInAnyOrder(jobs.stream().map(ClaimedJob::id).toArray(UUID[]::new));
        assertThat(status(jobs.get(0).id())).isEqualTo("completed");
        assertThat(TestDatabase.queryText("SELECT result::text FROM harrier.jobs WHERE id = '" + jobs.get(0).id() + "'"))
                .isEqualTo("{\"ok\": true}");
        assertThat(status(jobs.get(1).id())).isEqualTo("retrying");
        assertThat(TestDatabase.queryLong("SELECT floor(extract(epoch FROM run_at))::bigint FROM harrier.jobs WHERE id = '"
                + jobs.get(1).id() + "'")).isEqualTo(later.getEpochSecond());
        assertThat(status(jobs.get(2).id())).isEqualTo("failed");
        assertThat(status(jobs.get(3).id())).isEqualTo("pending");
        assertThat(TestDatabase.queryLong("SELECT attempt FROM harrier.jobs WHERE id = '" + jobs.get(3).id() + "'"))
                .as("handed back: the attempt is not counted").isZero();
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE lease_owner IS NOT NULL")).isZero();
    }

    @Test
    void anOutcomeIsRefusedWhenAnotherOwnerOrAnotherAttemptHoldsTheJob() throws Exception {
        List<ClaimedJob> jobs = claimed(3, "instance-a");
        ClaimedJob rescued = jobs.get(0);
        // Rescued and claimed again by another instance: attempt 2 belongs to instance-b.
        TestDatabase.execute("UPDATE harrier.jobs SET status = 'pending', lease_owner = NULL WHERE id = '" + rescued.id() + "'");
        ClaimedJob again = claimer.claim("default", "default", 1, "instance-b", LEASE).await().indefinitely().jobs().get(0);
        assertThat(again.id()).isEqualTo(rescued.id());
        assertThat(again.attempt()).isEqualTo(2);
        // Finished meanwhile (a cancellation that reached the table first, say).
        TestDatabase.execute("UPDATE harrier.jobs SET status = 'cancelled', lease_owner = NULL WHERE id = '" + jobs.get(1).id() + "'");

        var written = writer.write(List.of(Outcome.completed(rescued, "{}"), Outcome.completed(jobs.get(1), "{}"),
                Outcome.completed(jobs.get(2), "{}")), "instance-a").await().indefinitely();

        assertThat(written).containsExactly(jobs.get(2).id());
        assertThat(status(rescued.id())).as("instance-b's attempt runs on").isEqualTo("running");
        assertThat(status(jobs.get(1).id())).isEqualTo("cancelled");
        assertThat(writer.write(List.of(Outcome.completed(rescued, "{}")), "instance-b").await().indefinitely())
                .as("instance-b at attempt 1: not the attempt that holds the lease").isEmpty();
        assertThat(writer.write(List.of(Outcome.completed(again, "{}")), "instance-b").await().indefinitely())
                .containsExactly(again.id());
    }

    @Test
    void leasesAreRenewedOnlyForTheirOwnerAndTheLostOnesAreNamed() throws Exception {
        List<ClaimedJob> jobs = claimed(3, "instance-a");
        TestDatabase.execute("UPDATE harrier.jobs SET lease_expires_at = now() + interval '1 second'");
        TestDatabase.execute("UPDATE harrier.jobs SET cancel_requested_at = now() WHERE id = '" + jobs.get(1).id() + "'");
        TestDatabase.execute("UPDATE harrier.jobs SET lease_owner = 'instance-b' WHERE id = '" + jobs.get(2).id() + "'");
        List<UUID> believed = jobs.stream().map(ClaimedJob::id).toList();

        List<Leases.Held> held = leases.renew("instance-a", Duration.ofSeconds(60), believed).await().indefinitely();

        assertThat(held).containsExactlyInAnyOrder(new Leases.Held(jobs.get(0).id(), false), new Leases.Held(jobs.get(1).id(), true));
        assertThat(TestDatabase.queryLong("SELECT count(*) FROM harrier.jobs WHERE lease_expires_at > now() + interval '50 seconds'"))
                .isEqualTo(2);
        assertThat(leases.notHeld("instance-a", believed).await().indefinitely()).containsExactly(jobs.get(2).id());
    }
}
