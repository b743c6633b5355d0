package dev.harrier.remote;

import dev.harrier.queue.Job;
import java.time.Instant;

/** A job claimed by a remote worker, with its lease token (shown this once) and its deadlines. */
public record RemoteClaim(Job job, String leaseToken, Instant leaseExpiresAt, Instant timeoutAt) {
}
