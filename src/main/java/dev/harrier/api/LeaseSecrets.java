package dev.harrier.api;

import dev.harrier.queue.JobActions;
import dev.harrier.secret.SecretStore;
import dev.harrier.secret.SecretValues;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secret values a remote worker's claim of a job carried (the placeholders in its args of the
 * secrets whose {@code kinds} list its kind), so that whatever the worker reports back about that job
 * (progress, logs, items, children, its result or its error) is redacted before it is read, as a
 * reply of a remote server is: a worker that logs its args or echoes an API's answer stores
 * {@code [secret:NAME]}, never the value. Kept per job from its claim on this instance (or its first
 * report here: the job's args are read then) to the end of its attempt.
 */
@ApplicationScoped
class LeaseSecrets {

    /** Jobs whose values are kept at once; past it all are dropped (and read again when needed). */
    private static final int KEPT = 10_000;

    private final JobActions jobs;
    private final SecretStore secrets;
    private final Map<UUID, SecretValues> known = new ConcurrentHashMap<>();

    LeaseSecrets(JobActions jobs, SecretStore secrets) {
        this.jobs = jobs;
        this.secrets = secrets;
    }

    /** The request body with every form of every value the job's claim carried replaced by its name. */
    Uni<byte[]> redact(String workspace, UUID id, byte[] body) {
        if (body == null || body.length == 0) {
            return Uni.createFrom().item(body);
        }
        return values(workspace, id).map(values -> values.redact(body));
    }

    /** The attempt ended: its values are not needed any more. */
    void forget(UUID id) {
        known.remove(id);
    }

    private Uni<SecretValues> values(String workspace, UUID id) {
        SecretValues kept = known.get(id);
        if (kept != null) {
            return Uni.createFrom().item(kept);
        }
        return jobs.get(workspace, id).flatMap(job -> {
            if (job.isEmpty()) {
                return Uni.createFrom().item(SecretValues.NONE); // not this workspace's: the lease check refuses the call
            }
            return secrets.resolve(workspace, SecretValues.namesIn(job.get().argsJson()), job.get().kind())
                    .invoke(values -> remember(id, values));
        });
    }

    /** The values a claim of the job carried (none: {@link SecretValues#NONE}), so that its reports need no read. */
    void remember(UUID id, SecretValues values) {
        if (known.size() >= KEPT) {
            known.clear();
        }
        known.put(id, values);
    }
}
